// ParseRatings: a ratings file (any RatingsFormat) -> Interactions + id maps.
//
// Streams the source in 16 MiB chunks; each chunk is split at line ends and its
// pieces are parsed in parallel straight into the output columns, so memory is
// the packed arrays plus two chunks, and a 25M-line file parses in a few seconds.
//
// Accepted: CRLF line ends, a UTF-8 byte-order mark, blank lines (skipped),
// spaces around fields, RFC 4180 quotes when the separator is one character.
// Everything else that is wrong (too few or too many fields, an id or rating
// that is not a number or out of range, NaN/inf, a line longer than a chunk, an
// empty file, a file with only a header) is a Corruption naming `source:line`,
// the offending text and what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mtrec/data/rating_line_parser.h"
#include "mtrec/data/ratings_format.h"
#include "mtrec/data/user_item_sets.h"
#include "mtrec/id_map.h"
#include "mtrec/io/byte_source.h"
#include "mtrec/status.h"

namespace mtrec {

struct RatingsParseOptions {
  RatingsFormat format;
  // false: ids must be integers in [0, kMaxRawId] and are used as they are (the
  // original's behaviour: table size = max id + 1). true: ids may be any text
  // and are numbered densely in order of first appearance.
  bool remap_ids = false;
  int threads = 0;  // 0: every hardware thread
};

struct ParsedRatings {
  Interactions interactions;
  IdMap users;  // identity maps unless remap_ids
  IdMap items;
  std::string separator;  // the separator used (resolved when auto)
  bool had_header = false;
};

Result<ParsedRatings> ParseRatings(ByteSource& source, const RatingsParseOptions& options);

// The same over an in-memory text (tests, fuzzing).
Result<ParsedRatings> ParseRatingsText(std::string_view text, std::string source_name,
                                       const RatingsParseOptions& options);

}  // namespace mtrec
