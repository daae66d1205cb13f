// Reading MovieLens ratings from local files.
//
// ML-100K's u.data: one rating per line, `user<TAB>item<TAB>rating<TAB>timestamp`
// (any run of spaces/tabs separates fields; the timestamp may be absent). Ids
// are kept raw (1-based), num_users/num_items = max id + 1, as the original.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "mtrec/core/result.h"
#include "mtrec/data/interactions.h"

namespace mtrec {

// Largest raw id accepted: a raw id sizes the embedding tables (id + 1 rows).
inline constexpr int64_t kMaxRawId = 100'000'000;

// Parses whitespace-separated `user item rating [timestamp]` lines. Accepts CRLF
// line ends and a UTF-8 BOM; skips blank lines. Every malformed line is an
// InvalidArgument/Corruption naming `source_name:line` and what was expected.
Result<Interactions> ParseRatingsText(std::string_view text, std::string_view source_name);

// Reads a whole ratings file with ParseRatingsText.
Result<Interactions> ReadRatingsFile(const std::filesystem::path& path);

// Where a --dataset value points: an existing file is a ratings file; an existing
// folder must hold u.data; a known name ("ml-100k") is looked up as
// <data_dir>/<name>/u.data. Anything else is NotFound with a message that says
// where to put the files.
Result<std::filesystem::path> ResolveDatasetPath(std::string_view dataset,
                                                 const std::filesystem::path& data_dir);

// The default data directory: $MTREC_DATA_DIR, else ~/.cache/mtrec.
std::filesystem::path DefaultDataDir();

}  // namespace mtrec
