#include "mtrec/data/movielens.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

namespace mtrec {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits a line into whitespace-separated fields (at most `max_fields` + 1 kept,
// so that a caller can tell "too many").
size_t SplitFields(std::string_view line, std::string_view* fields, size_t max_fields) {
  size_t n = 0;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    if (i == line.size()) break;
    const size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) ++i;
    if (n <= max_fields) fields[n] = line.substr(start, i - start);
    ++n;
  }
  return n;
}

template <typename T>
bool ParseWhole(std::string_view s, T& out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end;
}

std::string Where(std::string_view source, size_t line) {
  return std::string(source) + ":" + std::to_string(line);
}

}  // namespace

Result<Interactions> ParseRatingsText(std::string_view text, std::string_view source_name) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
  Interactions x;
  const size_t approx_lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  x.users.reserve(approx_lines);
  x.items.reserve(approx_lines);
  x.ratings.reserve(approx_lines);
  x.timestamps.reserve(approx_lines);

  int64_t max_user = -1, max_item = -1;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    std::string_view f[5];
    const size_t n = SplitFields(line, f, 4);
    if (n == 0) continue;  // blank line
    if (n < 3 || n > 4) {
      return Status::Corruption(Where(source_name, line_no) + ": expected 3 or 4 fields " +
                                "(user item rating [timestamp]), found " + std::to_string(n));
    }
    int64_t user, item;
    if (!ParseWhole(f[0], user) || user < 0 || user > kMaxRawId) {
      return Status::Corruption(Where(source_name, line_no) + ": user id '" + std::string(f[0]) +
                                "' is not an integer in [0, " + std::to_string(kMaxRawId) + "]");
    }
    if (!ParseWhole(f[1], item) || item < 0 || item > kMaxRawId) {
      return Status::Corruption(Where(source_name, line_no) + ": item id '" + std::string(f[1]) +
                                "' is not an integer in [0, " + std::to_string(kMaxRawId) + "]");
    }
    float rating;
    if (!ParseWhole(f[2], rating) || !std::isfinite(rating)) {
      return Status::Corruption(Where(source_name, line_no) + ": rating '" + std::string(f[2]) +
                                "' is not a finite number");
    }
    int64_t timestamp = 0;
    if (n == 4 && !ParseWhole(f[3], timestamp)) {
      return Status::Corruption(Where(source_name, line_no) + ": timestamp '" +
                                std::string(f[3]) + "' is not an integer");
    }
    x.users.push_back(static_cast<UserId>(user));
    x.items.push_back(static_cast<ItemId>(item));
    x.ratings.push_back(rating);
    x.timestamps.push_back(timestamp);
    max_user = std::max(max_user, user);
    max_item = std::max(max_item, item);
  }
  if (x.size() == 0) {
    return Status::Corruption(std::string(source_name) + ": no ratings (the file is empty)");
  }
  x.num_users = static_cast<int32_t>(max_user + 1);
  x.num_items = static_cast<int32_t>(max_item + 1);
  return x;
}

Result<Interactions> ReadRatingsFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path.string() + ": cannot open for reading");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError(path.string() + ": read failed");
  return ParseRatingsText(text, path.string());
}

std::filesystem::path DefaultDataDir() {
  if (const char* env = std::getenv("MTREC_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".cache" / "mtrec";
}

Result<std::filesystem::path> ResolveDatasetPath(std::string_view dataset,
                                                 const std::filesystem::path& data_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path as_path(dataset);
  if (fs::is_regular_file(as_path, ec)) return as_path;
  if (fs::is_directory(as_path, ec)) {
    const fs::path udata = as_path / "u.data";
    if (fs::is_regular_file(udata, ec)) return udata;
    return Status::NotFound("--dataset " + std::string(dataset) +
                            ": the folder has no u.data (expected MovieLens 100K's files)");
  }
  if (dataset == "ml-100k") {
    const fs::path udata = data_dir / "ml-100k" / "u.data";
    if (fs::is_regular_file(udata, ec)) return udata;
    return Status::NotFound("data set ml-100k not found: put MovieLens 100K's u.data at " +
                            udata.string() +
                            " (or set --data_dir / $MTREC_DATA_DIR, or pass --dataset PATH to "
                            "u.data or its folder); automatic download is not implemented yet");
  }
  return Status::NotFound("--dataset " + std::string(dataset) +
                          ": no such file or folder, and not a known data set name (ml-100k)");
}

}  // namespace mtrec
