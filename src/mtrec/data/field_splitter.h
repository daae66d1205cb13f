// FieldSplitter: splits one line of a delimited text file into fields.
//
// Separator "" means any run of spaces/TABs (leading/trailing ones ignored).
// Any other separator is literal text; spaces around fields are trimmed, and
// when the separator is one character a field may be quoted RFC 4180 style
// ("a, b", "say ""hi""") — the quotes are removed. An unterminated quote is an
// error reported by Split. The line must not include its '\n'; a trailing '\r'
// is dropped.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace mtrec {

class FieldSplitter {
 public:
  explicit FieldSplitter(std::string separator);

  // Splits `line` into `fields[0..min(count, max_fields))` and returns the
  // field count (which may exceed max_fields: only the first max_fields are
  // stored). Returns 0 for a blank line. Unescaped quoted fields ("a ""b""")
  // are appended to `unescaped`, whose elements the views then point into.
  // Returns kUnterminatedQuote for a quote that never closes.
  size_t Split(std::string_view line, std::string_view* fields, size_t max_fields,
               std::deque<std::string>* unescaped) const;

  static constexpr size_t kUnterminatedQuote = static_cast<size_t>(-1);

  const std::string& separator() const { return separator_; }

 private:
  size_t SplitWhitespace(std::string_view line, std::string_view* fields, size_t max_fields) const;

  const std::string separator_;
  const bool quotes_;  // quoting is honoured (a one-character separator)
};

// Drops a leading UTF-8 byte-order mark.
std::string_view StripBom(std::string_view text);

}  // namespace mtrec
