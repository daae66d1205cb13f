// The flags that shape an experiment's data, model and training, shared by
// `mtrec train` and `mtrec sweep` (which adds its own grid on top).
#pragma once

#include <string>

#include "cli/flags.h"
#include "mtrec/run/experiment.h"

namespace mtrec::cli {

// The data flags, then the configuration schema's flags (mtrec/config_schema.h)
// that a sweep also takes: split, model shape, training, early stopping,
// threads. Not the loss weights, the embedding sharing, the seed or
// --init_weights (train sets them directly, sweep from its grid).
void AddExperimentFlags(FlagSet& flags, ExperimentConfig& config);

// Fills in what depends on several flags: --early_stopping without
// --validation_fraction holds out 5% of the training rows; without
// --learning_rate the optimizer's customary rate is used. Contradictory flags
// (--raw_ids with --remap_ids, --shared_embeddings with --no_shared_embeddings,
// --dataset with --train, --test_fraction with --test, --validation_fraction
// with --validation; --test or --validation without --train and the reverse)
// and a --patience the user gave without early stopping (as --refit) are
// InvalidArgument. `user_patience`: whether a --patience in `flags` is the
// user's to check (not a recipe's, whose early stopping the user may turn off,
// nor beside --resume, which refuses it itself).
Status ResolveExperimentDefaults(const FlagSet& flags, ExperimentConfig& config,
                                 bool user_patience = true);

// Makes the paths of `config` absolute (a --dataset that names an existing file
// or folder, --data_dir, --init_weights, --train/--test/--validation), so that what a run records in
// config.json and its checkpoints reads the same from any working folder.
void MakePathsAbsolute(ExperimentConfig& config);

// `path` made absolute against the working folder ("" stays "").
std::string AbsolutePath(const std::string& path);

// The schema's flags of train alone: the loss weights, the embedding sharing,
// the seed and --init_weights.
void AddObjectiveFlags(FlagSet& flags, ExperimentConfig& config);

// The original's run name, shared=<True|False>_LF=<wF>_LR=<wR> (weights as %g):
// train's default run folder, and a sweep's configuration folder.
std::string RunName(const ExperimentConfig& config);

}  // namespace mtrec::cli
