#include "mtrec/train/experiment_data.h"

#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/core/number_text.h"
#include "mtrec/data/split.h"
#include "mtrec/io/crc32c.h"
#include "mtrec/metrics.h"

namespace mtrec {

namespace {

template <typename T>
uint32_t CrcOf(const std::vector<T>& v, uint32_t crc) {
  return Crc32c(std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T)),
                crc);
}

}  // namespace

uint32_t DataFingerprint(const Interactions& x) {
  return CrcOf(x.ratings, CrcOf(x.items, CrcOf(x.users, 0)));
}

namespace {

// Carves config.validation_fraction of `train` (if > 0) into data->validation.
Status CarveValidation(const ExperimentConfig& config, Interactions train, ExperimentData* data) {
  if (config.validation_fraction > 0) {
    TrainTestSplit carved =
        RandomTrainTestSplit(train, config.validation_fraction, kValidationSplitSeed);
    if (carved.train.size() == 0 || carved.test.size() == 0) {
      return Status::InvalidArgument("validation_fraction " +
                                     NumberText(config.validation_fraction) +
                                     " leaves an empty train or validation set for " +
                                     std::to_string(train.size()) + " training interactions");
    }
    data->train = std::move(carved.train);
    data->validation = std::move(carved.test);
  } else {
    data->train = std::move(train);
  }
  return Status::Ok();
}

// The original's random split of the whole data set.
Status SplitRandomly(const ExperimentConfig& config, ExperimentData* data) {
  MTREC_ASSIGN_OR_RETURN(data->dataset, LoadDataset(config.data));
  const Interactions& all = data->dataset.interactions;
  if (all.size() < 2) {
    return Status::Corruption(data->dataset.path + ": only " + std::to_string(all.size()) +
                              " rating; training needs at least 2 (one to train on, one to test)");
  }
  TrainTestSplit split = RandomTrainTestSplit(all, config.test_fraction);
  if (split.train.size() == 0 || split.test.size() == 0) {
    return Status::InvalidArgument("test_fraction " + NumberText(config.test_fraction) +
                                   " leaves an empty train or test set for " +
                                   std::to_string(all.size()) + " interactions");
  }
  data->test = std::move(split.test);
  return CarveValidation(config, std::move(split.train), data);
}

// A predefined split's files.
Status ReadSplitFiles(const ExperimentConfig& config, ExperimentData* data) {
  MTREC_ASSIGN_OR_RETURN(SplitDataset split, LoadSplitDataset(config.data));
  data->dataset = std::move(split.dataset);
  data->split_training_rows = static_cast<int64_t>(split.train.size() + split.validation.size());
  data->test = std::move(split.test);
  if (!config.data.validation_path.empty()) {
    data->train = std::move(split.train);
    data->validation = std::move(split.validation);
    return Status::Ok();
  }
  return CarveValidation(config, std::move(split.train), data);
}

}  // namespace

Result<ExperimentData> PrepareExperimentData(const ExperimentConfig& config) {
  ExperimentData data;
  if (config.data.train_path.empty() && config.data.test_path.empty()) {
    MTREC_RETURN_IF_ERROR(SplitRandomly(config, &data));
  } else {
    MTREC_RETURN_IF_ERROR(ReadSplitFiles(config, &data));
  }
  const Interactions& all = data.dataset.interactions;
  data.fingerprint = DataFingerprint(all);
  std::vector<uint8_t> seen_users(all.num_users), seen_items(all.num_items);
  for (size_t k = 0; k < all.size(); ++k) {
    data.users_occurring += !seen_users[all.users[k]];
    data.items_occurring += !seen_items[all.items[k]];
    seen_users[all.users[k]] = seen_items[all.items[k]] = 1;
  }
  return data;
}

Interactions TrainingSplit(const ExperimentConfig& config, const ExperimentData& data) {
  const Interactions& all = data.dataset.interactions;
  if (data.split_training_rows == 0) return RandomTrainTestSplit(all, config.test_fraction).train;
  std::vector<int64_t> rows(static_cast<size_t>(data.split_training_rows));
  std::iota(rows.begin(), rows.end(), int64_t{0});
  return all.Select(rows);
}

}  // namespace mtrec
