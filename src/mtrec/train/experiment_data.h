// The data of an experiment: the data set, the original's train/test split (or
// a predefined split's files) and the optional validation split carved from
// the training rows (or read from its own file). Shared by
// training and by the commands that use a trained model, so that both see the
// very same rows.
#pragma once

#include <cstdint>

#include "mtrec/data/user_item_sets.h"
#include "mtrec/dataset.h"
#include "mtrec/status.h"

namespace mtrec {

struct ExperimentConfig;

// The seed of the validation split (the test split uses kOriginalSplitSeed).
inline constexpr uint32_t kValidationSplitSeed = 321;

struct ExperimentData {
  Dataset dataset;
  Interactions train;       // the rows the model is trained on
  Interactions validation;  // empty unless config.validation_fraction > 0
  Interactions test;
  uint32_t fingerprint = 0;  // DataFingerprint(dataset.interactions)
  // Rows of the tables that occur in the data (with raw ids, max id + 1 rows are
  // allocated whether or not every id occurs).
  int32_t users_occurring = 0;
  int32_t items_occurring = 0;
  // A predefined split: rows [0, split_training_rows) of dataset.interactions
  // are its training and validation files' (0: the original's random split).
  int64_t split_training_rows = 0;
};

// Loads config.data and splits it: test = RandomTrainTestSplit(all,
// test_fraction); then, if validation_fraction > 0, validation =
// RandomTrainTestSplit(train, validation_fraction, kValidationSplitSeed).
// An empty train, validation or test part is InvalidArgument.
// With config.data.train_path set, the predefined split's files instead
// (LoadSplitDataset): train, test and validation are their rows, test_fraction
// is not used, and validation_fraction (> 0 only without a validation file)
// carves the validation rows from the training file's the same way.
Result<ExperimentData> PrepareExperimentData(const ExperimentConfig& config);

// The whole training split, validation rows included, in the split's own
// order: what a run with no validation would train on, and what --refit does.
Interactions TrainingSplit(const ExperimentConfig& config, const ExperimentData& data);

// CRC-32C over the users, items and ratings columns: tells whether a data set
// is the one a model was trained on.
uint32_t DataFingerprint(const Interactions& x);

}  // namespace mtrec
