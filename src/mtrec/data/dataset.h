// Dataset: a loaded data set and where it came from. LoadDataset is the one
// entry point the trainer and the CLI use to get data.
#pragma once

#include <string>

#include "mtrec/core/result.h"
#include "mtrec/data/interactions.h"

namespace mtrec {

struct DataConfig {
  std::string dataset = "ml-100k";  // a name, a ratings file, or a folder holding u.data
  std::string data_dir;             // where names resolve; empty: DefaultDataDir()
};

struct Dataset {
  Interactions interactions;
  std::string path;  // the file the ratings were read from
};

// Resolves config.dataset (see ResolveDatasetPath) and reads it.
Result<Dataset> LoadDataset(const DataConfig& config);

}  // namespace mtrec
