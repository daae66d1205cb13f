// The one JSON form of an ExperimentConfig: the checkpoint's `config` object
// (train/checkpoint.h) and the `config` object of a run folder's config.json
// (report/run_directory.h) are both this codec's output. The configuration
// fields' keys, their order and whether a key is a version-1 key or an added
// one come from the schema (mtrec/config_schema.h); the data set's own keys
// are spelled here:
//
//   data            {dataset, data_dir, format {auto_separator, separator,
//                   header ("auto" | "present" | "absent"), columns [names]},
//                   ids ("auto" | "raw" | "remap"), duplicates, <schema keys>}
//   model, train, early_stopping   {<schema keys>}
//
// (The grouping is the version-1 checkpoint's, which must stay readable:
// test_fraction sits under data, epochs under train.) split_seed and
// validation_seed are the fixed seeds of data/split.h, written for readers and
// checked on reading. A key added after version 1 is written only when its
// value is not the default, and a file without it reads as the default.
//
// Not in it: how a run is executed rather than what it computes (threads,
// data.threads, data.download_timeout_seconds, data.on_download), and facts of
// a run (the data path, interactions, fingerprint, ids, parameter count, split
// sizes), which the checkpoint and config.json keep in their own fields.
#pragma once

#include <nlohmann/json.hpp>

#include "mtrec/config.h"
#include "mtrec/metrics.h"
#include "mtrec/status.h"

namespace mtrec {

nlohmann::ordered_json ExperimentConfigToJson(const ExperimentConfig& config);

// Reads ExperimentConfigToJson's form into `config`, whose fields outside the
// codec are left as they are. Keys it does not know are ignored. A missing key,
// a value of the wrong type or range, or an unknown name is InvalidArgument
// naming the key's path ("train.bpr_loss: expected sigmoid or log, got
// 'hinge'"), and `config` is then unchanged. Never throws.
Status ExperimentConfigFromJson(const nlohmann::ordered_json& json, ExperimentConfig* config);

}  // namespace mtrec
