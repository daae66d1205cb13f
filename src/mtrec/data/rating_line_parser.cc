#include "mtrec/data/rating_line_parser.h"

#include <charconv>
#include <cmath>

namespace mtrec {

namespace {

template <typename T>
std::errc ParseNumber(std::string_view s, T& out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  if (ec == std::errc() && ptr != end) return std::errc::invalid_argument;
  return ec;
}

bool IsDigit(char c) { return static_cast<unsigned>(c - '0') < 10; }

// Plain decimal digits (1 to 18 of them, so no overflow) at p.
const char* ScanDigits(const char* p, const char* end, int64_t* out) {
  const char* start = p;
  int64_t v = 0;
  while (p < end && IsDigit(*p)) {
    if (p - start == 18) return nullptr;  // the general path reports it
    v = v * 10 + (*p++ - '0');
  }
  if (p == start) return nullptr;
  *out = v;
  return p;
}

// A rating written as digits with at most one decimal that is 0 or 5 ("4",
// "3.5", "10.0"): exactly representable, so the same float as from_chars.
const char* ScanHalfStep(const char* p, const char* end, float* out) {
  int64_t whole = 0;
  p = ScanDigits(p, end, &whole);
  // Beyond the largest rating accepted, the slow path says why it is refused.
  if (p == nullptr || whole > static_cast<int64_t>(kMaxAbsRating)) return nullptr;
  float value = static_cast<float>(whole);
  if (p < end && *p == '.') {
    if (p + 1 >= end || (p[1] != '0' && p[1] != '5')) return nullptr;
    if (p + 2 < end && IsDigit(p[2])) return nullptr;
    if (p[1] == '5') value += 0.5f;
    p += 2;
  }
  if (value > kMaxAbsRating) return nullptr;  // 1000000.5
  *out = value;
  return p;
}

Status RawIdError(const char* what, std::string_view text) {
  return Status::Corruption(std::string(what) + " id '" + std::string(text) +
                            "' is not an integer in [0, " + std::to_string(kMaxRawId) +
                            "] (pass --remap_ids to number ids of any form densely)");
}

}  // namespace

RatingLineParser::RatingLineParser(const std::vector<RatingsColumn>& columns, std::string separator,
                                   bool remap_ids)
    : splitter_(std::move(separator)), remap_ids_(remap_ids), columns_(columns) {
  max_fields_ = columns_.size();
  min_fields_ = columns_.back() == RatingsColumn::kTimestamp ? max_fields_ - 1 : max_fields_;
  for (size_t k = 0; k < columns_.size(); ++k) {
    const int i = static_cast<int>(k);
    switch (columns_[k]) {
      case RatingsColumn::kUser:
        user_ = i;
        break;
      case RatingsColumn::kItem:
        item_ = i;
        break;
      case RatingsColumn::kRating:
        rating_ = i;
        break;
      case RatingsColumn::kTimestamp:
        timestamp_ = i;
        break;
      case RatingsColumn::kSkip:
        break;
    }
    if (k > 0) expected_ += k + 1 == columns_.size() && min_fields_ < max_fields_ ? "[," : ",";
    expected_ += NameOf(kRatingsColumnNames, columns_[k]);
  }
  if (min_fields_ < max_fields_) expected_ += "]";
}

std::string RatingLineParser::FieldCount() const {
  return min_fields_ == max_fields_
             ? std::to_string(max_fields_)
             : std::to_string(min_fields_) + " or " + std::to_string(max_fields_);
}

const char* RatingLineParser::ParseFast(const char* p, const char* end, RatingRow* row) const {
  const std::string& sep = splitter_.separator();
  const bool whitespace = sep.empty();
  for (size_t k = 0; k < max_fields_; ++k) {
    if (k > 0) {
      // A separator, or the end of a line that may stop before its timestamp.
      if (p == end || *p == '\n' || *p == '\r') {
        if (k < min_fields_) return nullptr;
        break;
      }
      if (whitespace) {
        if (*p != '\t' && *p != ' ') return nullptr;
        while (p < end && (*p == '\t' || *p == ' ')) ++p;
      } else {
        if (static_cast<size_t>(end - p) < sep.size() || p[0] != sep[0] ||
            (sep.size() > 1 && sep.compare(1, std::string::npos, p + 1, sep.size() - 1) != 0)) {
          return nullptr;
        }
        p += sep.size();
      }
    }
    const int i = static_cast<int>(k);
    if (remap_ids_ && (i == user_ || i == item_)) {
      const char* start = p;
      while (p < end && *p != sep[0] && *p != '\n' && *p != '\r' && *p != '"' && *p != ' ' &&
             *p != '\t') {
        ++p;
      }
      if (p == start) return nullptr;
      (i == user_ ? row->user_name : row->item_name) = std::string_view(start, p - start);
    } else if (i == user_ || i == item_) {
      int64_t* id = i == user_ ? &row->user : &row->item;
      p = ScanDigits(p, end, id);
      if (p == nullptr || *id > kMaxRawId) return nullptr;
    } else if (i == rating_) {
      p = ScanHalfStep(p, end, &row->rating);
      if (p == nullptr) return nullptr;
    } else if (i == timestamp_) {
      p = ScanDigits(p, end, &row->timestamp);
      if (p == nullptr) return nullptr;
    } else {  // a skipped column
      while (p < end && *p != sep[0] && *p != '\n' && *p != '\r' && *p != '"' &&
             !(whitespace && (*p == ' ' || *p == '\t'))) {
        ++p;
      }
    }
  }
  if (p < end && *p == '\r') ++p;
  if (p < end && *p != '\n') return nullptr;
  return p;
}

Result<bool> RatingLineParser::Parse(std::string_view line, RatingRow* row,
                                     std::deque<std::string>* unescaped) const {
  std::string_view f[kMaxColumns];
  const size_t n = splitter_.Split(line, f, kMaxColumns, unescaped);
  if (n == 0) return false;
  if (n == FieldSplitter::kUnterminatedQuote) {
    return Status::Corruption("a quoted field has no closing quote");
  }
  if (n < min_fields_ || n > max_fields_) {
    return Status::Corruption("expected " + FieldCount() + " fields (" + expected_ +
                              ") separated by " + SeparatorName(separator()) + ", found " +
                              std::to_string(n) +
                              (n > max_fields_ ? " (name extra columns with --columns)" : ""));
  }
  if (remap_ids_) {
    row->user_name = f[user_];
    row->item_name = f[item_];
    if (row->user_name.empty() || row->item_name.empty()) {
      return Status::Corruption(std::string(row->user_name.empty() ? "user" : "item") +
                                " id is empty");
    }
  } else {
    if (ParseNumber(f[user_], row->user) != std::errc() || row->user < 0 || row->user > kMaxRawId) {
      return RawIdError("user", f[user_]);
    }
    if (ParseNumber(f[item_], row->item) != std::errc() || row->item < 0 || row->item > kMaxRawId) {
      return RawIdError("item", f[item_]);
    }
  }
  row->rating = 1.0f;
  if (rating_ >= 0) {
    const std::string_view text = f[rating_];
    const std::errc ec = ParseNumber(text, row->rating);
    if (ec == std::errc::result_out_of_range) {
      return Status::Corruption("rating '" + std::string(text) + "' is out of range");
    }
    if (ec != std::errc()) {
      return Status::Corruption("rating '" + std::string(text) + "' is not a number");
    }
    if (!std::isfinite(row->rating)) {
      return Status::Corruption("rating '" + std::string(text) + "' is not a finite number");
    }
    if (std::fabs(row->rating) > kMaxAbsRating) {  // would overflow the squared error
      return Status::Corruption("rating '" + std::string(text) +
                                "' is out of range (expected |rating| <= 1000000)");
    }
  }
  row->timestamp = 0;
  if (timestamp_ >= 0 && static_cast<size_t>(timestamp_) < n &&
      ParseNumber(f[timestamp_], row->timestamp) != std::errc()) {
    return Status::Corruption("timestamp '" + std::string(f[timestamp_]) + "' is not an integer");
  }
  return true;
}

bool RatingLineParser::LooksLikeHeader(std::string_view line) const {
  std::deque<std::string> unescaped;
  std::string_view f[kMaxColumns];
  const size_t n = splitter_.Split(line, f, kMaxColumns, &unescaped);
  if (n == FieldSplitter::kUnterminatedQuote || n == 0) return false;
  const auto not_a_number = [&](int column) {
    if (column < 0 || static_cast<size_t>(column) >= std::min(n, kMaxColumns)) return false;
    double value = 0;
    const std::errc ec = ParseNumber(f[column], value);
    return ec != std::errc() && ec != std::errc::result_out_of_range;
  };
  // A data line has a numeric rating and, with raw ids, a numeric user id; a
  // header ("userId,movieId,rating") has neither. A first line that fails only
  // one of the two is data, and gets its error message.
  if (rating_ >= 0 && !not_a_number(rating_)) return false;
  if (remap_ids_) return rating_ >= 0;
  return not_a_number(user_);
}

}  // namespace mtrec
