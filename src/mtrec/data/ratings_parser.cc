#include "mtrec/data/ratings_parser.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <future>
#include <memory>
#include <vector>

#include "mtrec/core/thread_pool.h"
#include "mtrec/data/field_splitter.h"
#include "mtrec/data/rating_line_parser.h"

namespace mtrec {

namespace {

constexpr size_t kChunkBytes = size_t{16} << 20;
constexpr size_t kMinBytesPerThread = size_t{1} << 20;

std::string Where(std::string_view source, int64_t line) {
  return std::string(source) + ":" + std::to_string(line);
}

// One piece of a chunk, parsed by one thread into rows
// [first_row, first_row + rows) of the output columns.
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

void ParsePiece(const RatingLineParser& parser, bool remap, Piece& piece, Interactions& x) {
  const char* p = piece.text.data();
  const char* const end = p + piece.text.size();
  int64_t row = piece.first_row;
  int64_t line = 0;
  if (remap) {
    piece.user_names.reserve(static_cast<size_t>(piece.lines));
    piece.item_names.reserve(static_cast<size_t>(piece.lines));
  }
  while (p < end) {
    ++line;
    RatingRow r;
    const char* eol = parser.ParseFast(p, end, &r);
    if (eol == nullptr) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      eol = nl == nullptr ? end : nl;
      Result<bool> parsed =
          parser.Parse(std::string_view(p, static_cast<size_t>(eol - p)), &r, &piece.unescaped);
      if (!parsed.ok()) {
        piece.error = parsed.status();
        piece.error_line = line;
        return;
      }
      if (!*parsed) {  // a blank line
        p = eol + 1;
        continue;
      }
    }
    p = eol + 1;
    const auto k = static_cast<size_t>(row++);
    if (remap) {
      piece.user_names.push_back(r.user_name);
      piece.item_names.push_back(r.item_name);
    } else {
      x.users[k] = static_cast<UserId>(r.user);
      x.items[k] = static_cast<ItemId>(r.item);
      piece.max_user = std::max(piece.max_user, r.user);
      piece.max_item = std::max(piece.max_item, r.item);
    }
    x.ratings[k] = r.rating;
    if (parser.has_timestamp()) x.timestamps[k] = r.timestamp;
  }
  piece.rows = row - piece.first_row;
}

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
    size_t end = std::max(begin, text.size() * static_cast<size_t>(k) / static_cast<size_t>(parts));
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
  // Reads into buffer[*filled, capacity) until it is full or the source ends.
  Status ReadInto(char* buffer, size_t capacity, size_t* filled, bool* eof);
  Status ReadMore(size_t* filled, bool* eof) {
    return ReadInto(buffer_.get(), capacity_, filled, eof);
  }
  // Parses whole lines; `first_line` is the file line number of text's first.
  // Returns the number of lines in text.
  Result<int64_t> ParseChunk(std::string_view text, int64_t first_line);
  void ReserveFor(size_t bytes_per_line);

  ByteSource& source_;
  const RatingsParseOptions& options_;
  ThreadPool pool_;
  std::unique_ptr<RatingLineParser> line_parser_;
  // Uninitialised (a zero-filled 16 MiB per call would dominate small files).
  // The next chunk is read into next_ while buffer_ is parsed.
  std::unique_ptr<char[]> buffer_, next_;
  size_t capacity_ = 0;
  ParsedRatings out_;
  size_t bytes_read_ = 0;
  int64_t rows_ = 0;
  int64_t max_user_ = -1, max_item_ = -1;
};

Status Parser::ReadInto(char* buffer, size_t capacity, size_t* filled, bool* eof) {
  while (*filled < capacity) {
    MTREC_ASSIGN_OR_RETURN(const size_t n, source_.Read(buffer + *filled, capacity - *filled));
    if (n == 0) {
      *eof = true;
      break;
    }
    *filled += n;
    bytes_read_ += n;
  }
  return Status::Ok();
}

void Parser::ReserveFor(size_t bytes_per_line) {
  if (source_.size_hint() <= 0) return;
  // The whole file's rows from one line's length, +25%: capacity that is never
  // touched costs address space, not memory.
  const auto rows = static_cast<size_t>(1.25 * static_cast<double>(source_.size_hint()) /
                                        static_cast<double>(std::max<size_t>(bytes_per_line, 4))) +
                    1024;
  Interactions& x = out_.interactions;
  x.users.reserve(rows);
  x.items.reserve(rows);
  x.ratings.reserve(rows);
  if (line_parser_->has_timestamp()) x.timestamps.reserve(rows);
}

Result<int64_t> Parser::ParseChunk(std::string_view text, int64_t first_line) {
  Interactions& x = out_.interactions;
  const bool remap = options_.remap_ids;
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
  Resize(x, static_cast<size_t>(row), line_parser_->has_timestamp());
  pool_.Run(static_cast<int>(pieces.size()), [&](int task, int) {
    ParsePiece(*line_parser_, remap, pieces[static_cast<size_t>(task)], x);
  });
  int64_t line = first_line;
  for (Piece& p : pieces) {
    if (!p.error.ok()) {
      return Status::Corruption(Where(source_.name(), line + p.error_line - 1) + ": " +
                                p.error.message());
    }
    line += p.lines;
  }
  // Close the gaps that blank lines left, and number names in file order.
  for (Piece& p : pieces) {
    const auto close_gap = [&](auto& v) {
      if (p.first_row != rows_) {
        std::copy(v.begin() + p.first_row, v.begin() + p.first_row + p.rows, v.begin() + rows_);
      }
    };
    if (!remap) {
      close_gap(x.users);
      close_gap(x.items);
    }
    close_gap(x.ratings);
    if (line_parser_->has_timestamp()) close_gap(x.timestamps);
    for (size_t k = 0; k < p.user_names.size(); ++k) {
      x.users[static_cast<size_t>(rows_) + k] = out_.users.Intern(p.user_names[k]);
      x.items[static_cast<size_t>(rows_) + k] = out_.items.Intern(p.item_names[k]);
    }
    max_user_ = std::max(max_user_, p.max_user);
    max_item_ = std::max(max_item_, p.max_item);
    rows_ += p.rows;
  }
  return line - first_line;
}

Result<ParsedRatings> Parser::Run() {
  const std::string& name = source_.name();
  // A chunk, or less for a source known to be smaller (grown if it was not).
  capacity_ = source_.size_hint() >= 0
                  ? std::min(kChunkBytes, static_cast<size_t>(source_.size_hint()) + 1)
                  : kChunkBytes;
  buffer_ = std::make_unique_for_overwrite<char[]>(capacity_);
  size_t filled = 0;
  bool eof = false;
  MTREC_RETURN_IF_ERROR(ReadMore(&filled, &eof));

  // The first chunk decides: a byte-order mark, blank lines, the separator, a header.
  const std::string_view head(buffer_.get(), filled);
  // UTF-16 (or binary) text would otherwise be cut at its first NUL byte.
  if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF") ||
      head.substr(0, 4096).find('\0') != std::string_view::npos) {
    return Status::Corruption(name +
                              ": the file holds NUL bytes: it looks like UTF-16 (or binary), "
                              "not text; re-encode it as UTF-8");
  }
  const size_t bom = head.size() - StripBom(head).size();
  size_t start = bom;
  int64_t first_line = 1;
  size_t first_nl = head.find('\n', start);
  while (start < filled &&
         head.substr(start, first_nl == std::string_view::npos ? first_nl : first_nl - start)
                 .find_first_not_of(" \t\r") == std::string_view::npos) {
    start = first_nl == std::string_view::npos ? filled : first_nl + 1;
    first_nl = head.find('\n', start);
    ++first_line;
  }
  const std::string_view first = head.substr(
      start, first_nl == std::string_view::npos ? std::string_view::npos : first_nl - start);
  out_.separator =
      options_.format.auto_separator ? GuessSeparator(name, first) : options_.format.separator;
  line_parser_ = std::make_unique<RatingLineParser>(options_.format.columns, out_.separator,
                                                    options_.remap_ids);
  const HeaderMode header = options_.format.header;
  if (!first.empty() && (header == HeaderMode::kPresent ||
                         (header == HeaderMode::kAuto && line_parser_->LooksLikeHeader(first)))) {
    out_.had_header = true;
    start = first_nl == std::string_view::npos ? filled : first_nl + 1;
    ++first_line;
  }
  if (start < filled) {
    const size_t nl = head.find('\n', start);
    ReserveFor((nl == std::string_view::npos ? filled : nl + 1) - start);
  }

  while (true) {
    const std::string_view data(buffer_.get() + start, filled - start);
    size_t take = data.size();
    if (!eof) {
      const size_t last_nl = data.rfind('\n');
      if (last_nl == std::string_view::npos && capacity_ < kChunkBytes) {
        // The source is longer than it said: grow to a full chunk and read on.
        auto bigger = std::make_unique_for_overwrite<char[]>(kChunkBytes);
        std::memcpy(bigger.get(), data.data(), data.size());
        buffer_ = std::move(bigger);
        next_.reset();
        capacity_ = kChunkBytes;
        filled = data.size();
        start = 0;
        MTREC_RETURN_IF_ERROR(ReadMore(&filled, &eof));
        continue;
      }
      if (last_nl == std::string_view::npos) {
        return Status::Corruption(Where(name, first_line) + ": line is longer than " +
                                  std::to_string(kChunkBytes >> 20) +
                                  " MiB (is this a text ratings file?)");
      }
      take = last_nl + 1;
    }
    // Read ahead (decompressing, for a zip member) on another thread while
    // this chunk is parsed; the partial last line starts the next chunk.
    std::future<Status> reading;
    size_t next_filled = 0;
    bool next_eof = false;
    if (!eof) {
      if (!next_) next_ = std::make_unique_for_overwrite<char[]>(capacity_);
      next_filled = data.size() - take;
      std::memcpy(next_.get(), data.data() + take, next_filled);
      reading = std::async(std::launch::async, [this, &next_filled, &next_eof] {
        return ReadInto(next_.get(), capacity_, &next_filled, &next_eof);
      });
    }
    if (take > 0) {
      MTREC_ASSIGN_OR_RETURN(const int64_t lines, ParseChunk(data.substr(0, take), first_line));
      first_line += lines;
    }
    if (eof) break;
    MTREC_RETURN_IF_ERROR(reading.get());
    std::swap(buffer_, next_);
    filled = next_filled;
    eof = next_eof;
    start = 0;
  }

  Interactions& x = out_.interactions;
  Resize(x, static_cast<size_t>(rows_), line_parser_->has_timestamp());
  if (rows_ == 0) {
    const char* why = out_.had_header      ? "the file has only a header line"
                      : bytes_read_ == bom ? "the file is empty"
                                           : "the file has only blank lines";
    return Status::Corruption(name + ": no ratings (" + why + ")");
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
  if (columns.size() > RatingLineParser::kMaxColumns ||
      std::count(columns.begin(), columns.end(), RatingsColumn::kUser) != 1 ||
      std::count(columns.begin(), columns.end(), RatingsColumn::kItem) != 1) {
    return Status::InvalidArgument("columns: " + options.format.Describe() +
                                   ": expected one user and one item column, at most " +
                                   std::to_string(RatingLineParser::kMaxColumns) + " columns");
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
