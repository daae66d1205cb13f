// A number as messages and --help show it: the shortest text that reads back
// as the same double (0.9999999 stays 0.9999999, not "1.000000" or "1"; 30 is
// "30"; 1e39 is "1e+39").
#pragma once

#include <charconv>
#include <string>

namespace mtrec {

inline std::string NumberText(double v) {
  char text[32];
  const std::to_chars_result r = std::to_chars(text, text + sizeof(text), v);
  return std::string(text, r.ptr);
}

}  // namespace mtrec
