#include "mtrec/infer/trained_model.h"

#include <optional>
#include <string>
#include <vector>

#include "mtrec/backend/backend_registry.h"
#include "mtrec/config.h"
#include "mtrec/metrics.h"

namespace mtrec {

Result<TrainedModel> LoadTrainedModel(const std::filesystem::path& path,
                                      const BackendOptions& options, std::string_view backend) {
  TrainedModel model;
  MTREC_ASSIGN_OR_RETURN(model.checkpoint, LoadCheckpoint(path));
  const TrainingCheckpoint& c = model.checkpoint;
  MTREC_ASSIGN_OR_RETURN(model.backend, MakeBackend(backend, c.config.model, options));
  Status restored;
  model.backend->WriteParams(
      [&](MultiTaskNet& net) { restored = RestoreWeights(c, path.string(), &net); });
  MTREC_RETURN_IF_ERROR(restored);
  MTREC_ASSIGN_OR_RETURN(
      model.users, CheckpointIdMap(c.user_ids, c.config.model.num_users, path.string(), "user"));
  MTREC_ASSIGN_OR_RETURN(
      model.items, CheckpointIdMap(c.item_ids, c.config.model.num_items, path.string(), "item"));
  return model;
}

Result<ExperimentData> LoadTrainingData(const TrainingCheckpoint& checkpoint,
                                        const std::string& dataset, const std::string& data_dir) {
  ExperimentConfig config = checkpoint.config;
  // The data set as given at training time (a name, or an absolute path); the
  // checkpoint's data settings (format, ids, duplicates) are kept either way.
  if (!dataset.empty()) config.data.dataset = dataset;
  if (!data_dir.empty()) config.data.data_dir = data_dir;
  Result<ExperimentData> prepared = PrepareExperimentData(config);
  if (!prepared.ok() && dataset.empty() && data_dir.empty()) {
    // The location came from the checkpoint, not from a --dataset the user gave.
    std::string message = prepared.status().message();
    if (message.starts_with("--dataset ")) message.erase(0, 10);
    return Status::NotFound("the data set recorded in the checkpoint: " + message +
                            " (pass --dataset PATH if it moved)");
  }
  MTREC_ASSIGN_OR_RETURN(ExperimentData data, std::move(prepared));
  if (data.fingerprint != checkpoint.fingerprint ||
      data.dataset.interactions.num_users != checkpoint.config.model.num_users ||
      data.dataset.interactions.num_items != checkpoint.config.model.num_items) {
    return Status::NotFound(data.dataset.path + " is not the data set the model was trained on (" +
                            checkpoint.data_path + ", " + std::to_string(checkpoint.interactions) +
                            " ratings); point --dataset at that file");
  }
  return data;
}

Result<int32_t> LookupRow(const IdMap& ids, std::string_view raw, std::string_view what) {
  if (const std::optional<int32_t> row = ids.Find(raw)) return *row;
  return Status::NotFound(std::string(what) + " '" + std::string(raw) + "' is not in the model (" +
                          std::to_string(ids.size()) + " rows)");
}

}  // namespace mtrec
