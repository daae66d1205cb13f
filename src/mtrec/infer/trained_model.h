// A trained model loaded from a checkpoint (train/checkpoint.h), the data it was
// trained on, and its ids: what `mtrec evaluate/recommend/predict` start from.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "mtrec/backend/backend.h"
#include "mtrec/id_map.h"
#include "mtrec/status.h"
#include "mtrec/train/checkpoint.h"
#include "mtrec/train/experiment_data.h"

namespace mtrec {

struct TrainedModel {
  TrainingCheckpoint checkpoint;
  std::unique_ptr<Backend> backend;  // holding the checkpoint's weights
  // Raw id <-> table row, built once from the checkpoint's id lists (hashed;
  // an identity map where the list is empty: the raw ids are the row numbers).
  IdMap users;
  IdMap items;
};

// Loads and verifies the checkpoint, and builds its model on backend `backend`
// (backend_registry.h; a checkpoint evaluates the same on every backend).
Result<TrainedModel> LoadTrainedModel(const std::filesystem::path& path,
                                      const BackendOptions& options,
                                      std::string_view backend = "cpu");

// The data set and split recorded in the checkpoint. A non-empty `dataset` or
// `data_dir` replaces the recorded location; the data found must be the very
// data trained on (same fingerprint), else NotFound naming both (exit 1).
Result<ExperimentData> LoadTrainingData(const TrainingCheckpoint& checkpoint,
                                        const std::string& dataset, const std::string& data_dir);

// The table row of the raw id `raw` (ids.Name(row) gives it back). NotFound
// names `what` and the id.
Result<int32_t> LookupRow(const IdMap& ids, std::string_view raw, std::string_view what);

}  // namespace mtrec
