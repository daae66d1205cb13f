// Item titles for display (`mtrec recommend`).
//
// For now they come from MovieLens 100K's u.item beside the ratings file:
// `id|title|release date|video date|url|genre flags...`, Latin-1 encoded
// (converted to UTF-8 here). The data layer is to provide titles with the
// Dataset itself; this function is the one place to redirect then.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "mtrec/core/result.h"

namespace mtrec {

// Titles indexed by item row (num_items entries, "" where unknown). No u.item
// beside `ratings_path` gives all-empty titles; a malformed line is Corruption.
Result<std::vector<std::string>> LoadItemTitles(const std::filesystem::path& ratings_path,
                                                int32_t num_items);

// Latin-1 (ISO 8859-1) bytes as UTF-8.
std::string Latin1ToUtf8(std::string_view latin1);

}  // namespace mtrec
