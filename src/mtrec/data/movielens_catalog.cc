#include "mtrec/data/movielens_catalog.h"

#include <cstdlib>

namespace mtrec {

namespace {

// Sizes and SHA-256 values as published in TensorFlow Datasets' checksum list
// (url_checksums/movielens.txt). ml-latest-small's is its 2018 edition.
constexpr MovieLensSet kSets[] = {
    {"ml-100k", "ml-100k.zip", "ml-100k", "u.data", "u.item",
     "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229", 4924029},
    {"ml-1m", "ml-1m.zip", "ml-1m", "ratings.dat", "movies.dat",
     "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20", 5917549},
    {"ml-10m", "ml-10m.zip", "ml-10M100K", "ratings.dat", "movies.dat", "", -1},
    {"ml-20m", "ml-20m.zip", "ml-20m", "ratings.csv", "movies.csv",
     "96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3", 198702078},
    {"ml-25m", "ml-25m.zip", "ml-25m", "ratings.csv", "movies.csv",
     "8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa", 261978986},
    {"ml-32m", "ml-32m.zip", "ml-32m", "ratings.csv", "movies.csv", "", -1},
    {"ml-latest-small", "ml-latest-small.zip", "ml-latest-small", "ratings.csv", "movies.csv",
     "696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436", 978202},
    {"ml-latest", "ml-latest.zip", "ml-latest", "ratings.csv", "movies.csv", "", -1},
};

}  // namespace

RatingsFormat MovieLensSet::ratings_format() const {
  if (ratings_file == "u.data") return RatingsFormat::Fixed("", HeaderMode::kAbsent);
  if (ratings_file == "ratings.dat") return RatingsFormat::Fixed("::", HeaderMode::kAbsent);
  return RatingsFormat::Fixed(",", HeaderMode::kPresent);
}

std::span<const MovieLensSet> MovieLensSets() { return kSets; }

const MovieLensSet* FindMovieLensSet(std::string_view name) {
  for (const MovieLensSet& s : kSets) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const MovieLensSet* FindMovieLensSetByArchive(std::string_view archive_file_name) {
  for (const MovieLensSet& s : kSets) {
    if (s.archive == archive_file_name) return &s;
  }
  return nullptr;
}

const MovieLensSet* FindMovieLensSetByFolder(std::string_view folder_name) {
  for (const MovieLensSet& s : kSets) {
    if (s.folder == folder_name || s.name == folder_name) return &s;
  }
  return nullptr;
}

std::string MovieLensSetNames() {
  std::string names;
  for (const MovieLensSet& s : kSets) {
    if (!names.empty()) names += ", ";
    names += s.name;
  }
  return names;
}

std::string MovieLensBaseUrl() {
  const char* env = std::getenv("MTREC_MOVIELENS_URL");
  std::string url = env != nullptr && *env != '\0' ? env : std::string(kGroupLensUrl);
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace mtrec
