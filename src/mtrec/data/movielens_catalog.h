// The MovieLens family: what each set is called, where GroupLens publishes it,
// how to verify it, and where its ratings and titles are inside the archive.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mtrec/data/ratings_format.h"

namespace mtrec {

inline constexpr std::string_view kGroupLensUrl = "https://files.grouplens.org/datasets/movielens";

struct MovieLensSet {
  std::string_view name;          // --dataset name, e.g. "ml-100k"
  std::string_view archive;       // file name under the base URL, e.g. "ml-100k.zip"
  std::string_view folder;        // its top folder inside the zip, e.g. "ml-10M100K"
  std::string_view ratings_file;  // "u.data", "ratings.dat" or "ratings.csv"
  std::string_view titles_file;   // "u.item", "movies.dat" or "movies.csv"
  // Pinned SHA-256 of the archive (lowercase hex); empty: verified against
  // GroupLens's published <archive>.md5 instead.
  std::string_view sha256;
  int64_t archive_bytes = -1;  // expected size when known (progress before the server says)

  // The layout of ratings_file.
  RatingsFormat ratings_format() const;
};

std::span<const MovieLensSet> MovieLensSets();

// The set called `name`, or nullptr.
const MovieLensSet* FindMovieLensSet(std::string_view name);

// The set whose archive is `archive_file_name`, or whose folder is `folder_name`
// (a file or folder a user points --dataset at), or nullptr.
const MovieLensSet* FindMovieLensSetByArchive(std::string_view archive_file_name);
const MovieLensSet* FindMovieLensSetByFolder(std::string_view folder_name);

// "ml-100k, ml-1m, ..." for messages and --help.
std::string MovieLensSetNames();

// Where archives are downloaded from: $MTREC_MOVIELENS_URL (http, https or
// file URL of a folder holding the archives) if set, else kGroupLensUrl.
std::string MovieLensBaseUrl();

}  // namespace mtrec
