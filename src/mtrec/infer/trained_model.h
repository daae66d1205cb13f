// A trained model loaded from a checkpoint (train/checkpoint.h), the data it was
// trained on, and its ids: what `mtrec evaluate/recommend/predict` start from.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/core/result.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/train/checkpoint.h"
#include "mtrec/train/experiment_data.h"

namespace mtrec {

struct TrainedModel {
  TrainingCheckpoint checkpoint;
  std::unique_ptr<MultiTaskNet> net;  // the checkpoint's weights
};

// Loads and verifies the checkpoint, and builds its model.
Result<TrainedModel> LoadTrainedModel(const std::filesystem::path& path);

// The data set and split recorded in the checkpoint. A non-empty `dataset` or
// `data_dir` replaces the recorded location; the data found must be the very
// data trained on (same fingerprint), else NotFound naming both (exit 1).
Result<ExperimentData> LoadTrainingData(const TrainingCheckpoint& checkpoint,
                                        const std::string& dataset, const std::string& data_dir);

// The table row of a raw id: its position in `ids`, or with empty `ids` the id
// itself as an integer in [0, rows). NotFound names `what` and the id.
Result<int32_t> LookupRow(const std::vector<std::string>& ids, int32_t rows, std::string_view raw,
                          std::string_view what);
// The raw id of a row (the row number when `ids` is empty).
std::string RawId(const std::vector<std::string>& ids, int32_t row);

}  // namespace mtrec
