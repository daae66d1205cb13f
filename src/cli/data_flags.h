// The data flags every command that loads a data set shares (--dataset,
// --data_dir, --format, --columns, --remap_ids, --raw_ids, --duplicates,
// --download_timeout), filling a DataConfig.
#pragma once

#include "cli/flags.h"
#include "mtrec/dataset.h"

namespace mtrec::cli {

// Adds the data flags to `flags`; they write into `config`, which must outlive `flags`.
void AddDataFlags(FlagSet& flags, DataConfig& config);

}  // namespace mtrec::cli
