// Dataset: a loaded data set and where it came from. LoadDataset is the one
// entry point the trainer and the CLI use to get data.
//
// --dataset accepts
//   * a MovieLens name (ml-100k, ml-1m, ml-10m, ml-20m, ml-25m, ml-32m,
//     ml-latest-small, ml-latest): read from <data_dir>/<name>/ if that folder
//     holds the extracted set, else from <data_dir>/<name>.zip, which is
//     downloaded and verified first if absent (archive_download.h);
//   * a zip archive of one of these sets;
//   * a folder holding u.data, ratings.dat or ratings.csv (with u.item,
//     movies.dat or movies.csv beside it for titles);
//   * any ratings file, laid out as --format/--columns say (ratings_format.h).
// Ids: MovieLens data (a name, or a file/folder/archive the catalog knows by
// its name) keeps the original's raw integer ids; any other file gets dense ids
// with a map back to its own. DataConfig::ids overrides either way.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "mtrec/core/enum_names.h"
#include "mtrec/core/result.h"
#include "mtrec/data/archive_download.h"
#include "mtrec/data/duplicates.h"
#include "mtrec/data/id_map.h"
#include "mtrec/data/interactions.h"
#include "mtrec/data/ratings_format.h"

namespace mtrec {

enum class IdPolicy {
  kAuto,   // raw for MovieLens data, dense for any other file
  kRaw,    // ids are integers used as table rows (table size = max id + 1)
  kRemap,  // ids of any form numbered densely (--remap_ids)
};
// As checkpoints and config.json spell them.
inline constexpr EnumName<IdPolicy> kIdPolicyNames[] = {
    {IdPolicy::kAuto, "auto"}, {IdPolicy::kRaw, "raw"}, {IdPolicy::kRemap, "remap"}};

struct DataConfig {
  std::string dataset = "ml-100k";  // a name, a ratings file, a folder or a zip
  std::string data_dir;             // where names resolve; empty: DefaultDataDir()
  // Layout of a ratings file. Left as auto, MovieLens files use their set's
  // layout and other files are guessed from their name and first line.
  RatingsFormat format;
  IdPolicy ids = IdPolicy::kAuto;
  DuplicatePolicy duplicates = DuplicatePolicy::kKeep;
  double download_timeout_seconds = 60;  // a download receiving nothing this long fails
  int threads = 0;                       // parser threads; 0: every hardware thread
  // Download progress (optional; not owned by the library, called on the caller's thread).
  std::function<void(const DownloadEvent&)> on_download;
};

struct Dataset {
  Interactions interactions;
  std::string path;       // where the ratings were read: a file, or "archive.zip:member"
  std::string movielens;  // the MovieLens set's name, or "" for other data
  IdMap users;            // index <-> the user's own id (identity for raw ids)
  IdMap items;
  // item_titles[i]: the title of item index i, UTF-8 ("" if unknown); empty
  // when the data set has no title file.
  std::vector<std::string> item_titles;
  int64_t duplicates_removed = 0;  // by DataConfig::duplicates
};

// Resolves config.dataset (downloading a MovieLens archive if needed) and reads it.
Result<Dataset> LoadDataset(const DataConfig& config);

// The default data directory: $MTREC_DATA_DIR, else ~/.cache/mtrec.
std::filesystem::path DefaultDataDir();

}  // namespace mtrec
