// The data of an experiment: the data set, the original's train/test split and
// the optional validation split carved from the training rows. Shared by
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
};

// Loads config.data and splits it: test = RandomTrainTestSplit(all,
// test_fraction); then, if validation_fraction > 0, validation =
// RandomTrainTestSplit(train, validation_fraction, kValidationSplitSeed).
// An empty train, validation or test part is InvalidArgument.
Result<ExperimentData> PrepareExperimentData(const ExperimentConfig& config);

// CRC-32C over the users, items and ratings columns: tells whether a data set
// is the one a model was trained on.
uint32_t DataFingerprint(const Interactions& x);

}  // namespace mtrec
