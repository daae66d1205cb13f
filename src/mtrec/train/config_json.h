// The one JSON form of an ExperimentConfig: the checkpoint's `config` object
// (train/checkpoint.h) and the `config` object of a run folder's config.json
// (report/run_directory.h) are both this codec's output, so every key is
// spelled, written and read in one place.
//
//   data            {dataset, data_dir, format {auto_separator, separator,
//                   header ("auto" | "present" | "absent"), columns [names]},
//                   ids ("auto" | "raw" | "remap"), duplicates, test_fraction,
//                   split_seed, validation_fraction, validation_seed}
//   model           {num_users, num_items, embedding_dim, hidden_layers,
//                   shared_embeddings, user_bias}
//   train           {epochs, factorization_weight, regression_weight, bpr_loss,
//                   batch_size, optimizer, learning_rate, beta1, beta2, eps, l2,
//                   seed, init_weights}
//   early_stopping  {metric ("none" | "mrr" | "mse"), patience}
//
// (The grouping is the version-1 checkpoint's, which must stay readable:
// test_fraction sits under data, epochs under train.) split_seed and
// validation_seed are the fixed seeds of data/split.h, written for readers and
// checked on reading.
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
