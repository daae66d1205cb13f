#include "mtrec/data/dataset_source.h"

#include <cstdlib>
#include <system_error>

#include "mtrec/data/archive_download.h"
#include "mtrec/io/zip_archive.h"

namespace mtrec {

namespace fs = std::filesystem;

namespace {

// Ratings files in the order a folder or archive is searched, with the title
// file that goes with each.
constexpr std::string_view kRatingsFiles[][2] = {
    {"u.data", "u.item"}, {"ratings.dat", "movies.dat"}, {"ratings.csv", "movies.csv"}};

std::string_view TitlesFileFor(std::string_view ratings_file) {
  for (const auto& pair : kRatingsFiles) {
    if (pair[0] == ratings_file) return pair[1];
  }
  return {};
}

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

std::string LastComponent(const fs::path& p) {
  const fs::path clean = p.has_filename() ? p : p.parent_path();
  return clean.filename().string();
}

// An extracted folder: the set (if known) decides the ratings file; otherwise
// the first of kRatingsFiles present.
Result<DatasetSource> FromFolder(const fs::path& folder, const MovieLensSet* set) {
  if (set == nullptr) set = FindMovieLensSetByFolder(LastComponent(folder));
  DatasetSource source;
  for (const auto& [ratings, titles] : kRatingsFiles) {
    if (set != nullptr && set->ratings_file != ratings) continue;
    if (!IsFile(folder / ratings)) continue;
    source.file = folder / ratings;
    if (IsFile(folder / titles)) source.titles = (folder / titles).string();
    source.movielens = set != nullptr        ? set
                       : ratings == "u.data" ? FindMovieLensSet("ml-100k")
                                             : nullptr;
    return source;
  }
  return Status::NotFound(
      "dataset " + folder.string() + ": the folder holds no " +
      (set != nullptr ? std::string(set->ratings_file) : "u.data, ratings.dat or ratings.csv") +
      " (point --dataset at the ratings file itself, with --format/--columns for its layout)");
}

Result<DatasetSource> FromArchive(const fs::path& path, const MovieLensSet* set) {
  MTREC_ASSIGN_OR_RETURN(const ZipArchive zip, ZipArchive::Open(path));
  if (set == nullptr) set = FindMovieLensSetByArchive(path.filename().string());
  DatasetSource source;
  source.file = path;
  for (const auto& [ratings, titles] : kRatingsFiles) {
    if (set != nullptr && set->ratings_file != ratings) continue;
    std::optional<std::string> member;
    if (set != nullptr)
      member = zip.FindMember(std::string(set->folder) + "/" + std::string(ratings));
    if (!member) member = zip.FindMember(ratings);
    if (!member) continue;
    source.member = *member;
    if (set == nullptr) {
      const size_t slash = member->find_last_of('/');
      const std::string folder = slash == std::string::npos ? "" : member->substr(0, slash);
      const size_t up = folder.find_last_of('/');
      set = FindMovieLensSetByFolder(up == std::string::npos ? folder : folder.substr(up + 1));
      if (set == nullptr && ratings == "u.data") set = FindMovieLensSet("ml-100k");
    }
    source.movielens = set;
    const std::string titles_member =
        member->substr(0, member->size() - std::string_view(ratings).size()) + std::string(titles);
    if (zip.FindMember(titles_member) == titles_member) source.titles = titles_member;
    return source;
  }
  return Status::Corruption(path.string() + ": the archive has no " +
                            (set != nullptr
                                 ? std::string(set->folder) + "/" + std::string(set->ratings_file)
                                 : std::string("u.data, ratings.dat or ratings.csv")) +
                            " (a truncated download or not a MovieLens archive)");
}

DatasetSource FromFile(const fs::path& file) {
  DatasetSource source;
  source.file = file;
  const std::string name = file.filename().string();
  const MovieLensSet* set = name == "u.data"
                                ? FindMovieLensSet("ml-100k")
                                : FindMovieLensSetByFolder(LastComponent(file.parent_path()));
  if (set != nullptr && set->ratings_file == name) source.movielens = set;
  const std::string_view titles = TitlesFileFor(name);
  if (!titles.empty() && IsFile(file.parent_path() / titles)) {
    source.titles = (file.parent_path() / titles).string();
  }
  return source;
}

}  // namespace

Result<DatasetSource> ResolveDatasetSource(const DataConfig& config) {
  const std::string& dataset = config.dataset;
  const fs::path as_path(dataset);
  std::error_code ec;
  if (fs::is_directory(as_path, ec)) return FromFolder(as_path, nullptr);
  if (fs::is_regular_file(as_path, ec)) {
    if (as_path.extension() == ".zip") return FromArchive(as_path, nullptr);
    return FromFile(as_path);
  }
  if (fs::exists(as_path, ec)) {  // a FIFO, /dev/stdin, a process substitution, a device
    return Status::IOError("--dataset " + dataset +
                           " is not a regular file or folder (a pipe or a device): the data is "
                           "read again by evaluate, recommend and --resume; save it to a file "
                           "first");
  }
  const MovieLensSet* set = FindMovieLensSet(dataset);
  if (set == nullptr) {
    return Status::NotFound("dataset " + dataset +
                            ": no such file or folder, and not a data set name (" +
                            MovieLensSetNames() + ")");
  }
  const fs::path data_dir = config.data_dir.empty() ? DefaultDataDir() : fs::path(config.data_dir);
  for (const fs::path& folder : {data_dir / set->name, data_dir / set->folder}) {
    if (IsFile(folder / set->ratings_file)) return FromFolder(folder, set);
  }
  DownloadOptions download;
  download.stall_timeout_seconds = config.download_timeout_seconds;
  download.on_event = config.on_download;
  MTREC_ASSIGN_OR_RETURN(const fs::path archive, EnsureMovieLensArchive(*set, data_dir, download));
  return FromArchive(archive, set);
}

std::filesystem::path DefaultDataDir() {
  if (const char* env = std::getenv("MTREC_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : ".") / ".cache" / "mtrec";
}

}  // namespace mtrec
