// Splitting a delimited list (a flag value such as "64,32" or "user,item,rating").
#pragma once

#include <string_view>
#include <vector>

namespace mtrec {

// The pieces of `text` between `separator`s, empty pieces included: "a,,b"
// gives {"a", "", "b"} and "" gives {""}. The views point into `text`.
inline std::vector<std::string_view> SplitList(std::string_view text, char separator = ',') {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      return pieces;
    }
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace mtrec
