// Where a --dataset value points: resolves names, folders, archives and files
// to the ratings to read (and the titles beside them), downloading a named
// MovieLens archive into the data directory if it is not there yet.
#pragma once

#include <filesystem>
#include <string>

#include "mtrec/data/movielens_catalog.h"
#include "mtrec/dataset.h"
#include "mtrec/status.h"

namespace mtrec {

struct DatasetSource {
  std::filesystem::path file;  // the ratings file, or the zip archive holding it
  std::string member;          // the ratings member in the zip; empty for a plain file
  std::string titles;          // the title file (a path, or a member of the same zip); may be empty
  const MovieLensSet* movielens = nullptr;  // the MovieLens set, if the catalog knows it

  bool in_archive() const { return !member.empty(); }
};

// See dataset.h for the forms --dataset takes. Errors: NotFound naming what
// was looked for and where; download and archive errors as they come.
Result<DatasetSource> ResolveDatasetSource(const DataConfig& config);

}  // namespace mtrec
