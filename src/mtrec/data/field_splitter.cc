#include "mtrec/data/field_splitter.h"

#include <cstring>

namespace mtrec {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view StripBom(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return text;
}

FieldSplitter::FieldSplitter(std::string separator)
    : separator_(std::move(separator)),
      quotes_(separator_.size() == 1 && !IsBlank(separator_[0])) {}

size_t FieldSplitter::SplitWhitespace(std::string_view line, std::string_view* fields,
                                      size_t max_fields) const {
  size_t n = 0;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    if (i == line.size()) break;
    const size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) ++i;
    if (n < max_fields) fields[n] = line.substr(start, i - start);
    ++n;
  }
  return n;
}

size_t FieldSplitter::Split(std::string_view line, std::string_view* fields, size_t max_fields,
                            std::deque<std::string>* unescaped) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (separator_.empty()) return SplitWhitespace(line, fields, max_fields);
  if (Trim(line).empty()) return 0;

  const char sep0 = separator_[0];
  const size_t sep_len = separator_.size();
  size_t n = 0;
  size_t i = 0;
  while (true) {
    // Skip blanks before the field to see whether it is quoted.
    size_t j = i;
    while (j < line.size() && IsBlank(line[j])) ++j;
    std::string_view field;
    size_t next;  // where the separator (or the end) should be
    if (quotes_ && j < line.size() && line[j] == '"') {
      bool escaped = false;
      size_t k = j + 1;
      while (true) {
        if (k >= line.size()) return kUnterminatedQuote;
        if (line[k] == '"') {
          if (k + 1 < line.size() && line[k + 1] == '"') {
            escaped = true;
            k += 2;
            continue;
          }
          break;
        }
        ++k;
      }
      field = line.substr(j + 1, k - j - 1);
      if (escaped) {
        std::string text;
        for (size_t p = 0; p < field.size(); ++p) {
          text += field[p];
          if (field[p] == '"') ++p;  // "" -> "
        }
        unescaped->push_back(std::move(text));
        field = unescaped->back();
      }
      next = k + 1;
      while (next < line.size() && IsBlank(line[next])) ++next;
      // Text between the closing quote and the separator (`"a"b,`): the field
      // is not a quoted one after all and is read verbatim up to the separator.
      if (next < line.size() && line.compare(next, sep_len, separator_) != 0) {
        const char* hit =
            static_cast<const char*>(std::memchr(line.data() + next, sep0, line.size() - next));
        next = hit == nullptr ? line.size() : static_cast<size_t>(hit - line.data());
        field = Trim(line.substr(i, next - i));
      }
    } else {
      size_t k = i;
      while (true) {
        const char* hit =
            static_cast<const char*>(std::memchr(line.data() + k, sep0, line.size() - k));
        if (hit == nullptr) {
          k = line.size();
          break;
        }
        k = static_cast<size_t>(hit - line.data());
        if (sep_len == 1 || line.compare(k, sep_len, separator_) == 0) break;
        ++k;
      }
      next = k;
      field = Trim(line.substr(i, next - i));
    }
    if (n < max_fields) fields[n] = field;
    ++n;
    if (next >= line.size()) break;
    i = next + sep_len;
  }
  return n;
}

}  // namespace mtrec
