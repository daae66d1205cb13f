#include "mtrec/data/item_titles.h"

#include <charconv>
#include <fstream>
#include <iterator>

namespace mtrec {

std::string Latin1ToUtf8(std::string_view latin1) {
  std::string out;
  out.reserve(latin1.size());
  for (const char c : latin1) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {
      out += static_cast<char>(0xC0 | (b >> 6));
      out += static_cast<char>(0x80 | (b & 0x3F));
    }
  }
  return out;
}

Result<std::vector<std::string>> LoadItemTitles(const std::filesystem::path& ratings_path,
                                                int32_t num_items) {
  std::vector<std::string> titles(static_cast<size_t>(num_items));
  const std::filesystem::path path = ratings_path.parent_path() / "u.item";
  std::ifstream in(path, std::ios::binary);
  if (!in) return titles;
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const size_t bar = line.find('|');
    const size_t bar2 = bar == std::string::npos ? bar : line.find('|', bar + 1);
    int64_t id = -1;
    const auto [ptr, ec] =
        std::from_chars(line.data(), line.data() + std::min(bar, line.size()), id);
    if (bar2 == std::string::npos || ec != std::errc() || ptr != line.data() + bar || id < 0) {
      return Status::Corruption(path.string() + ":" + std::to_string(line_no) +
                                ": expected `id|title|...`");
    }
    if (id < num_items)
      titles[id] = Latin1ToUtf8(std::string_view(line).substr(bar + 1, bar2 - bar - 1));
  }
  return titles;
}

}  // namespace mtrec
