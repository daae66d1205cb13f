// RatingLineParser: one line of a ratings file -> one RatingRow. The inner
// loop of ParseRatings (ratings_parser.h), which owns chunks, threads and line
// numbers.
//
// Two paths with one meaning. ParseFast reads the plain lines that make up
// nearly every file (digits, the separator, no quotes or spaces) in a single
// pass; whatever it does not recognise it hands to Parse, which splits the line
// with FieldSplitter, accepts everything the format allows and explains what
// it does not. So a line is either read the same way by both or only by Parse.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "mtrec/data/field_splitter.h"
#include "mtrec/data/ratings_format.h"
#include "mtrec/status.h"

namespace mtrec {

// Largest raw id accepted: a raw id sizes the embedding tables (id + 1 rows).
inline constexpr int64_t kMaxRawId = 100'000'000;
// The largest rating magnitude accepted: its square stays far from float overflow.
inline constexpr float kMaxAbsRating = 1e6f;

struct RatingRow {
  std::string_view user_name, item_name;  // remap mode: the ids as written
  int64_t user = 0, item = 0;             // raw mode: the ids as numbers
  float rating = 1.0f;                    // 1 without a rating column
  int64_t timestamp = 0;                  // 0 without one
};

class RatingLineParser {
 public:
  // REQUIRES: columns name one user and one item, at most kMaxColumns in all.
  RatingLineParser(const std::vector<RatingsColumn>& columns, std::string separator,
                   bool remap_ids);

  static constexpr size_t kMaxColumns = 16;

  // Parses the line at [p, end) if it is plain; returns where it ends (its
  // '\n', or `end`), or nullptr if the line must go to Parse.
  const char* ParseFast(const char* p, const char* end, RatingRow* row) const;

  // Parses `line` (without its '\n'). Returns false for a blank line. Errors
  // are Corruptions that say what is wrong with the line (the caller adds where).
  // Unquoted names may point into `unescaped`.
  Result<bool> Parse(std::string_view line, RatingRow* row,
                     std::deque<std::string>* unescaped) const;

  // Whether `line` is a header: its rating field is not a number, nor (with
  // raw ids) its user field. Without a rating column, with dense ids, a header
  // cannot be told from data: false (say +header).
  bool LooksLikeHeader(std::string_view line) const;

  const std::string& separator() const { return splitter_.separator(); }
  bool has_timestamp() const { return timestamp_ >= 0; }

 private:
  // The field count a line may have, as text ("3 or 4").
  std::string FieldCount() const;

  const FieldSplitter splitter_;
  const bool remap_ids_;
  std::vector<RatingsColumn> columns_;
  int user_ = -1, item_ = -1, rating_ = -1, timestamp_ = -1;
  size_t min_fields_ = 0, max_fields_ = 0;
  std::string expected_;  // "user,item,rating[,timestamp]"
};

}  // namespace mtrec
