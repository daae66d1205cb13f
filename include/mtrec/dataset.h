// Data sets: loading ratings by name or path, building them from in-memory
// arrays, and the original's train/test split. Part of the public API.
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
// A predefined split (--train/--test/--validation, DataConfig::train_path...)
// reads its files instead: LoadSplitDataset below.
// Ids: MovieLens data (a name, or a file/folder/archive the catalog knows by
// its name) keeps the original's raw integer ids; any other file gets dense ids
// with a map back to its own. DataConfig::ids overrides either way.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/id_map.h"
#include "mtrec/interactions.h"
#include "mtrec/status.h"

namespace mtrec {

// ---- How a ratings file is laid out (--format / --columns) ----

enum class RatingsColumn { kUser, kItem, kRating, kTimestamp, kSkip };
enum class HeaderMode { kAuto, kPresent, kAbsent };

struct RatingsFormat {
  bool auto_separator = true;  // guess `separator` from the file (GuessSeparator)
  std::string separator;       // empty: any run of spaces/TABs; else the literal text
  HeaderMode header = HeaderMode::kAuto;
  std::vector<RatingsColumn> columns = {RatingsColumn::kUser, RatingsColumn::kItem,
                                        RatingsColumn::kRating, RatingsColumn::kTimestamp};

  // A fixed separator ("" = spaces/TABs) and header mode, default columns.
  static RatingsFormat Fixed(std::string separator, HeaderMode header);

  // e.g. "',' with a header, columns user,item,rating,timestamp", for messages.
  std::string Describe() const;
};

// ---- What to do with a (user, item) pair rated more than once ----
//   keep   every rating stays a separate interaction (the default, as the
//          original: Spotlight's Interactions keep duplicates; its CSR for MRR
//          counts the pair once)
//   first  keep the pair's first rating in file order, drop the rest
//   last   keep the pair's last rating in file order (e.g. a re-rating)
//   error  refuse the file, naming the first repeated pair
enum class DuplicatePolicy { kKeep, kFirst, kLast, kError };

// ---- Download progress of a MovieLens archive ----

struct TransferProgress {
  int64_t bytes_done = 0;    // in the file, including any resumed prefix
  int64_t bytes_total = -1;  // -1 until the server has said
  double bytes_per_second = 0;
  double eta_seconds = -1;  // -1 when unknown
};

struct DownloadEvent {
  enum class Kind {
    kStarted,    // url -> destination; progress.bytes_done > 0 when resuming
    kProgress,   // progress
    kRetrying,   // detail: why
    kVerifying,  // detail: "sha256" or "md5"
    kDone,       // destination holds the verified archive
  };
  Kind kind = Kind::kStarted;
  std::string url;
  std::filesystem::path destination;
  TransferProgress progress;
  std::string detail;
};

// ---- Loading ----

enum class IdPolicy {
  kAuto,   // raw for MovieLens data, dense for any other file
  kRaw,    // ids are integers used as table rows (table size = max id + 1)
  kRemap,  // ids of any form numbered densely (--remap_ids)
};

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
  // A predefined split (LoadSplitDataset): ratings files read instead of
  // `dataset`, each laid out as `format` says (auto: guessed per file).
  // train_path set: test_path must be too; validation_path is optional.
  std::string train_path;
  std::string test_path;
  std::string validation_path;
  // Download progress (optional; not owned by the library, called on the caller's thread).
  std::function<void(const DownloadEvent&)> on_download;
};

// Dataset::path of data built from in-memory arrays (DatasetFromArrays).
inline constexpr const char* kInMemoryDataPath = "(in memory)";

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
  // Read from a predefined split's files (LoadSplitDataset): their paths, as
  // read; all empty otherwise.
  struct SplitFiles {
    std::string train, validation, test;
  } split_files;
  bool is_split() const { return !split_files.train.empty(); }
};

// Resolves config.dataset (downloading a MovieLens archive if needed) and reads it.
Result<Dataset> LoadDataset(const DataConfig& config);

// ---- A predefined split ----

struct SplitDataset {
  // The rows of every file in one id space: the training file's rows, then
  // the validation file's, then the test file's, each in file order (path: the
  // training file's; split_files: the three paths).
  Dataset dataset;
  Interactions train;
  Interactions validation;  // empty without a validation file
  Interactions test;
};

// Reads config.train_path, config.test_path and (if set) config.validation_path
// with config's format, ids and duplicates policies, numbering users and items
// in one id space: with dense ids (remap, or auto for files that are not
// MovieLens data) the training file's ids come first, in order of first
// appearance, then the new ones of the validation file, then the test file's
// (the training file's rows are numbered as if it were read alone); with raw
// ids every table has max id + 1 rows over all files. ids kAuto is decided by
// the training file and applied to the others. The duplicates policy applies
// within each file (a pair in two files stays in both). A user or item of the
// test or validation file only gets a row like any other: it is never trained
// on (its embedding keeps its initialisation) and is ranked as the original's
// random split ranks such rows. Item titles come with the training file's
// data set (items of no training row get ""). Errors: InvalidArgument
// "train_path: ..."/"test_path: ..." when one is set without the other;
// NotFound naming a missing file; Corruption naming file:line.
Result<SplitDataset> LoadSplitDataset(const DataConfig& config);

// The default data directory: $MTREC_DATA_DIR, else ~/.cache/mtrec.
std::filesystem::path DefaultDataDir();

// ---- In-memory data ----

// A data set from in-memory columns, one entry per interaction. `ratings` may
// be empty (implicit feedback: every rating is 1); `timestamps` may be empty.
// Integer ids: with ids == kRaw they are the table rows themselves (>= 0; the
// tables have max id + 1 rows, as MovieLens in the original); otherwise
// (kRemap, kAuto) they are numbered densely in order of first appearance and
// the Dataset's IdMaps translate back. InvalidArgument names the column and
// the first bad entry (unequal lengths, a negative raw id, a rating that is
// not finite, no interactions).
Result<Dataset> DatasetFromArrays(std::span<const int64_t> users, std::span<const int64_t> items,
                                  std::span<const float> ratings,
                                  std::span<const int64_t> timestamps = {},
                                  IdPolicy ids = IdPolicy::kRemap);
// The same with 32-bit ids (numpy int32 columns are read in place).
Result<Dataset> DatasetFromArrays(std::span<const int32_t> users, std::span<const int32_t> items,
                                  std::span<const float> ratings,
                                  std::span<const int64_t> timestamps = {},
                                  IdPolicy ids = IdPolicy::kRemap);
// The same with ids of any text ("u42", "tt0114709"), always numbered densely.
Result<Dataset> DatasetFromStrings(std::span<const std::string> users,
                                   std::span<const std::string> items,
                                   std::span<const float> ratings,
                                   std::span<const int64_t> timestamps = {});

// ---- The original's split ----

inline constexpr uint32_t kOriginalSplitSeed = 123;

struct TrainTestSplit {
  Interactions train;
  Interactions test;
  std::vector<int64_t> permutation;  // row order: train = first cutoff rows, test = the rest
};

// The original's random split (Spotlight's random_train_test_split with the
// homework's RandomState(123)): rows shuffled by numpy's legacy Fisher-Yates,
// the first int((1 - test_fraction) * n) train, the rest test; both keep the
// table sizes. InvalidArgument names test_fraction unless 0 < f < 1, and an
// empty part.
Result<TrainTestSplit> SplitInteractions(const Interactions& data, double test_fraction,
                                         uint32_t seed = kOriginalSplitSeed);

}  // namespace mtrec
