#include "mtrec/data/ratings_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <vector>

#include "mtrec/core/thread_pool.h"
#include "mtrec/data/field_splitter.h"

namespace mtrec {

namespace {

constexpr size_t kChunkBytes = size_t{16} << 20;
constexpr size_t kMinBytesPerThread = size_t{1} << 20;
constexpr size_t kMaxFields = 16;

template <typename T>
std::errc ParseNumber(std::string_view s, T& out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  if (ec == std::errc() && ptr != end) return std::errc::invalid_argument;
  return ec;
}

std::string Where(std::string_view source, int64_t line) {
  return std::string(source) + ":" + std::to_string(line);
}

// Which field holds what, and how many fields a line may have.
struct Layout {
  int user = -1, item = -1, rating = -1, timestamp = -1;
  size_t min_fields = 0, max_fields = 0;
  std::string expected;  // "user,item,rating[,timestamp]" for messages

  explicit Layout(const std::vector<RatingsColumn>& columns) {
    max_fields = columns.size();
    min_fields = columns.back() == RatingsColumn::kTimestamp ? max_fields - 1 : max_fields;
    for (size_t k = 0; k < columns.size(); ++k) {
      const int i = static_cast<int>(k);
      switch (columns[k]) {
        case RatingsColumn::kUser:
          user = i;
          break;
        case RatingsColumn::kItem:
          item = i;
          break;
        case RatingsColumn::kRating:
          rating = i;
          break;
        case RatingsColumn::kTimestamp:
          timestamp = i;
          break;
        case RatingsColumn::kSkip:
          break;
      }
      if (k > 0) expected += k + 1 == columns.size() && min_fields < max_fields ? "[," : ",";
      expected += ColumnName(columns[k]);
    }
    if (min_fields < max_fields) expected += "]";
  }
  std::string FieldCount() const {
    return min_fields == max_fields
               ? std::to_string(max_fields)
               : std::to_string(min_fields) + " or " + std::to_string(max_fields);
  }
};

// The output of one piece of a chunk: rows written at [first_row, first_row + rows).
struct Piece {
  std::string_view text;
  int64_t lines = 0;  // lines in `text` (the last may lack its '\n')
  int64_t first_row = 0;
  int64_t rows = 0;
  int64_t max_user = -1, max_item = -1;
  std::vector<std::string_view> user_names, item_names;  // remap mode
  std::deque<std::string> unescaped;
  Status error;
  int64_t error_line = 0;  // 1-based within the piece
};

class ChunkParser {
 public:
  ChunkParser(const RatingsParseOptions& options, const std::string& separator)
      : options_(options), splitter_(separator), layout_(options.format.columns) {}

  const FieldSplitter& splitter() const { return splitter_; }
  const Layout& layout() const { return layout_; }

  // Parses piece.text into rows [piece.first_row, ...) of x (already sized).
  void Parse(Piece& piece, Interactions& x) const {
    const bool remap = options_.remap_ids;
    const char* p = piece.text.data();
    const char* const end = p + piece.text.size();
    int64_t row = piece.first_row;
    int64_t line = 0;
    std::string_view f[kMaxFields];
    if (remap) {
      piece.user_names.reserve(static_cast<size_t>(piece.lines));
      piece.item_names.reserve(static_cast<size_t>(piece.lines));
    }
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* eol = nl == nullptr ? end : nl;
      ++line;
      const std::string_view text(p, static_cast<size_t>(eol - p));
      p = eol + 1;
      const size_t n = splitter_.Split(text, f, kMaxFields, &piece.unescaped);
      if (n == 0) continue;
      if (Status s = CheckFieldCount(n); !s.ok()) return Fail(piece, line, std::move(s));
      const auto r = static_cast<size_t>(row);
      if (remap) {
        piece.user_names.push_back(f[layout_.user]);
        piece.item_names.push_back(f[layout_.item]);
      } else {
        int64_t user = 0, item = 0;
        if (Status s = ParseRawId("user", f[layout_.user], &user); !s.ok()) {
          return Fail(piece, line, std::move(s));
        }
        if (Status s = ParseRawId("item", f[layout_.item], &item); !s.ok()) {
          return Fail(piece, line, std::move(s));
        }
        x.users[r] = static_cast<UserId>(user);
        x.items[r] = static_cast<ItemId>(item);
        piece.max_user = std::max(piece.max_user, user);
        piece.max_item = std::max(piece.max_item, item);
      }
      float rating = 1.0f;
      if (layout_.rating >= 0) {
        if (Status s = ParseRating(f[layout_.rating], &rating); !s.ok()) {
          return Fail(piece, line, std::move(s));
        }
      }
      x.ratings[r] = rating;
      if (layout_.timestamp >= 0) {
        int64_t timestamp = 0;
        if (static_cast<size_t>(layout_.timestamp) < n &&
            ParseNumber(f[layout_.timestamp], timestamp) != std::errc()) {
          return Fail(piece, line,
                      Status::Corruption("timestamp '" + std::string(f[layout_.timestamp]) +
                                         "' is not an integer"));
        }
        x.timestamps[r] = timestamp;
      }
      ++row;
    }
    piece.rows = row - piece.first_row;
  }

  // Whether the first line of a file is a header: its rating field (or, with
  // no rating column, its item field) is not a number.
  bool LooksLikeHeader(std::string_view line) const {
    std::deque<std::string> unescaped;
    std::string_view f[kMaxFields];
    const size_t n = splitter_.Split(line, f, kMaxFields, &unescaped);
    if (n == FieldSplitter::kUnterminatedQuote || n == 0) return false;
    const int probe = layout_.rating >= 0 ? layout_.rating : layout_.item;
    if (static_cast<size_t>(probe) >= std::min(n, kMaxFields)) return false;
    double value = 0;
    const std::errc ec = ParseNumber(f[probe], value);
    return ec != std::errc() && ec != std::errc::result_out_of_range;
  }

 private:
  Status CheckFieldCount(size_t n) const {
    if (n == FieldSplitter::kUnterminatedQuote) {
      return Status::Corruption("a quoted field has no closing quote");
    }
    if (n >= layout_.min_fields && n <= layout_.max_fields) return Status::Ok();
    return Status::Corruption(
        "expected " + layout_.FieldCount() + " fields (" + layout_.expected + ") separated by " +
        SeparatorName(splitter_.separator()) + ", found " + std::to_string(n) +
        (n > layout_.max_fields ? " (name extra columns with --columns)" : ""));
  }

  static Status ParseRawId(const char* what, std::string_view text, int64_t* id) {
    if (ParseNumber(text, *id) != std::errc() || *id < 0 || *id > kMaxRawId) {
      return Status::Corruption(std::string(what) + " id '" + std::string(text) +
                                "' is not an integer in [0, " + std::to_string(kMaxRawId) +
                                "] (pass --remap_ids to number ids of any form densely)");
    }
    return Status::Ok();
  }

  static Status ParseRating(std::string_view text, float* rating) {
    const std::errc ec = ParseNumber(text, *rating);
    if (ec == std::errc::result_out_of_range) {
      return Status::Corruption("rating '" + std::string(text) + "' is out of range");
    }
    if (ec != std::errc()) {
      return Status::Corruption("rating '" + std::string(text) + "' is not a number");
    }
    if (!std::isfinite(*rating)) {
      return Status::Corruption("rating '" + std::string(text) + "' is not a finite number");
    }
    return Status::Ok();
  }

  void Fail(Piece& piece, int64_t line, Status status) const {
    piece.error = std::move(status);
    piece.error_line = line;
  }

  const RatingsParseOptions& options_;
  const FieldSplitter splitter_;
  const Layout layout_;
};

// Sizes every column for `rows` rows, growing capacity by 25% steps at least.
void Resize(Interactions& x, size_t rows, bool timestamps) {
  const auto grow = [rows](auto& v) {
    if (rows > v.capacity()) v.reserve(std::max(rows, v.capacity() + v.capacity() / 4));
    v.resize(rows);
  };
  grow(x.users);
  grow(x.items);
  grow(x.ratings);
  if (timestamps) grow(x.timestamps);
}

// Splits text into up to `parts` pieces that end at line ends.
std::vector<Piece> SplitPieces(std::string_view text, int parts) {
  std::vector<Piece> pieces;
  size_t begin = 0;
  for (int k = 1; k <= parts && begin < text.size(); ++k) {
    size_t end = k == parts ? text.size() : text.size() * static_cast<size_t>(k) / parts;
    if (end < begin) end = begin;
    if (end < text.size()) {
      const size_t nl = text.find('\n', end);
      end = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    if (end > begin) {
      pieces.emplace_back();
      pieces.back().text = text.substr(begin, end - begin);
    }
    begin = end;
  }
  return pieces;
}

class Parser {
 public:
  Parser(ByteSource& source, const RatingsParseOptions& options)
      : source_(source),
        options_(options),
        pool_(options.threads > 0 ? options.threads : HardwareThreads()) {}

  Result<ParsedRatings> Run();

 private:
  Status ParseChunk(std::string_view text, int64_t first_line);
  Status ReadMore(size_t* filled, bool* eof);

  ByteSource& source_;
  const RatingsParseOptions& options_;
  ThreadPool pool_;
  std::unique_ptr<ChunkParser> chunk_parser_;
  std::vector<char> buffer_;
  ParsedRatings out_;
  size_t bytes_read_ = 0;
  int64_t rows_ = 0;
  int64_t max_user_ = -1, max_item_ = -1;
};

Status Parser::ReadMore(size_t* filled, bool* eof) {
  while (*filled < buffer_.size()) {
    MTREC_ASSIGN_OR_RETURN(const size_t n,
                           source_.Read(buffer_.data() + *filled, buffer_.size() - *filled));
    if (n == 0) {
      *eof = true;
      break;
    }
    *filled += n;
    bytes_read_ += n;
  }
  return Status::Ok();
}

Status Parser::ParseChunk(std::string_view text, int64_t first_line) {
  Interactions& x = out_.interactions;
  const int parts = static_cast<int>(std::clamp<size_t>(text.size() / kMinBytesPerThread, 1,
                                                        static_cast<size_t>(pool_.num_threads())));
  std::vector<Piece> pieces = SplitPieces(text, parts);
  pool_.Run(static_cast<int>(pieces.size()), [&pieces](int task, int) {
    Piece& p = pieces[static_cast<size_t>(task)];
    p.lines = std::count(p.text.begin(), p.text.end(), '\n') + (p.text.back() != '\n');
  });
  int64_t row = rows_;
  for (Piece& p : pieces) {
    p.first_row = row;
    row += p.lines;
  }
  Resize(x, static_cast<size_t>(row), chunk_parser_->layout().timestamp >= 0);
  pool_.Run(static_cast<int>(pieces.size()),
            [&](int task, int) { chunk_parser_->Parse(pieces[static_cast<size_t>(task)], x); });
  int64_t line = first_line;
  for (Piece& p : pieces) {
    if (!p.error.ok()) {
      return Status::Corruption(Where(source_.name(), line + p.error_line - 1) + ": " +
                                p.error.message());
    }
    line += p.lines;
  }
  // Close the gaps left by blank lines, then intern names in file order.
  for (Piece& p : pieces) {
    const auto move = [&](auto& v) {
      if (p.first_row != rows_) {
        std::copy(v.begin() + p.first_row, v.begin() + p.first_row + p.rows, v.begin() + rows_);
      }
    };
    if (!options_.remap_ids) {
      move(x.users);
      move(x.items);
    }
    move(x.ratings);
    if (!x.timestamps.empty()) move(x.timestamps);
    for (size_t k = 0; k < p.user_names.size(); ++k) {
      x.users[static_cast<size_t>(rows_) + k] = out_.users.Intern(p.user_names[k]);
      x.items[static_cast<size_t>(rows_) + k] = out_.items.Intern(p.item_names[k]);
    }
    max_user_ = std::max(max_user_, p.max_user);
    max_item_ = std::max(max_item_, p.max_item);
    rows_ += p.rows;
  }
  return Status::Ok();
}

Result<ParsedRatings> Parser::Run() {
  const std::string& name = source_.name();
  buffer_.resize(kChunkBytes);
  size_t filled = 0;
  bool eof = false;
  MTREC_RETURN_IF_ERROR(ReadMore(&filled, &eof));

  // The first chunk: a byte-order mark, the separator, a header.
  std::string_view head(buffer_.data(), filled);
  const size_t bom = head.size() - StripBom(head).size();
  size_t start = bom;
  int64_t first_line = 1;
  while (start < filled) {  // leading blank lines
    const size_t nl = head.find('\n', start);
    const std::string_view line =
        head.substr(start, nl == std::string_view::npos ? nl : nl - start);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) break;
    if (nl == std::string_view::npos)
      start = filled;
    else
      start = nl + 1;
    ++first_line;
  }
  const size_t first_nl = head.find('\n', start);
  const std::string_view first = head.substr(
      start, first_nl == std::string_view::npos ? std::string_view::npos : first_nl - start);
  out_.separator =
      options_.format.auto_separator ? GuessSeparator(name, first) : options_.format.separator;
  chunk_parser_ = std::make_unique<ChunkParser>(options_, out_.separator);
  const HeaderMode header = options_.format.header;
  if (!first.empty() && (header == HeaderMode::kPresent ||
                         (header == HeaderMode::kAuto && chunk_parser_->LooksLikeHeader(first)))) {
    out_.had_header = true;
    start = first_nl == std::string_view::npos ? filled : first_nl + 1;
    ++first_line;
  }

  if (source_.size_hint() > 0 && first_nl != std::string_view::npos) {
    // Reserve for the whole file from the first line's length (+25%): untouched
    // capacity costs address space, not memory.
    const auto bytes_per_line = static_cast<double>(std::max<size_t>(first_nl + 1 - start, 4));
    const auto rows =
        static_cast<size_t>(1.25 * static_cast<double>(source_.size_hint()) / bytes_per_line) +
        1024;
    out_.interactions.users.reserve(rows);
    out_.interactions.items.reserve(rows);
    out_.interactions.ratings.reserve(rows);
    out_.interactions.timestamps.reserve(rows);
  }

  while (true) {
    const std::string_view data(buffer_.data() + start, filled - start);
    size_t take = data.size();
    if (!eof) {
      const size_t last_nl = data.rfind('\n');
      if (last_nl == std::string_view::npos) {
        return Status::Corruption(Where(name, first_line) + ": line is longer than " +
                                  std::to_string(kChunkBytes >> 20) +
                                  " MiB (is this a text ratings file?)");
      }
      take = last_nl + 1;
    }
    if (take > 0) {
      const std::string_view text = data.substr(0, take);
      MTREC_RETURN_IF_ERROR(ParseChunk(text, first_line));
      first_line += std::count(text.begin(), text.end(), '\n');
    }
    if (eof) break;
    const size_t rest = data.size() - take;
    std::memmove(buffer_.data(), data.data() + take, rest);
    filled = rest;
    start = 0;
    MTREC_RETURN_IF_ERROR(ReadMore(&filled, &eof));
  }

  Interactions& x = out_.interactions;
  Resize(x, static_cast<size_t>(rows_), !x.timestamps.empty());
  if (rows_ == 0) {
    return Status::Corruption(name + ": no ratings (" +
                              std::string(out_.had_header      ? "the file has only a header line"
                                          : bytes_read_ == bom ? "the file is empty"
                                                               : "the file has only blank lines") +
                              ")");
  }
  if (!options_.remap_ids) {
    out_.users = IdMap::Identity(static_cast<int32_t>(max_user_ + 1));
    out_.items = IdMap::Identity(static_cast<int32_t>(max_item_ + 1));
  }
  x.num_users = out_.users.size();
  x.num_items = out_.items.size();
  return std::move(out_);
}

}  // namespace

Result<ParsedRatings> ParseRatings(ByteSource& source, const RatingsParseOptions& options) {
  const std::vector<RatingsColumn>& columns = options.format.columns;
  if (columns.size() > kMaxFields ||
      std::count(columns.begin(), columns.end(), RatingsColumn::kUser) != 1 ||
      std::count(columns.begin(), columns.end(), RatingsColumn::kItem) != 1) {
    return Status::InvalidArgument("--columns: " + options.format.Describe() +
                                   ": expected one user and one item column, at most " +
                                   std::to_string(kMaxFields) + " columns");
  }
  Parser parser(source, options);
  return parser.Run();
}

Result<ParsedRatings> ParseRatingsText(std::string_view text, std::string source_name,
                                       const RatingsParseOptions& options) {
  auto source = MakeStringSource(text, std::move(source_name));
  return ParseRatings(*source, options);
}

}  // namespace mtrec
