// Item titles from the MovieLens title files, for recommendation output:
//   u.item      `id|title|release date|...`  (ML-100K, Latin-1)
//   movies.dat  `id::title::genres`           (ML-1M Latin-1, ML-10M, MovieTweetings)
//   movies.csv  `movieId,title,genres` with a header; titles may be quoted and
//               hold commas (ML-20M and newer, UTF-8)
// Titles come back as UTF-8 (a title that is not valid UTF-8 is read as Latin-1).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/id_map.h"
#include "mtrec/status.h"

namespace mtrec {

enum class TitlesFormat { kUItem, kMoviesDat, kMoviesCsv };

// The format of a title file by its name (u.item, movies.dat, movies.csv).
std::optional<TitlesFormat> TitlesFormatForFile(std::string_view file_name);

struct ItemTitle {
  std::string id;  // the item id as written in the file
  std::string title;
};

// Parses a whole title file. Accepts CRLF, a BOM and blank lines; a line
// without an id and a title is a Corruption naming `source_name:line`.
Result<std::vector<ItemTitle>> ParseItemTitles(std::string_view text, TitlesFormat format,
                                               std::string_view source_name);

// titles[i] = the title of item index i under `items` ("" if the file has none).
std::vector<std::string> TitlesByIndex(const std::vector<ItemTitle>& titles, const IdMap& items);

}  // namespace mtrec
