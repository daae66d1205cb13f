#include "mtrec/infer/trained_model.h"

#include <charconv>

#include "mtrec/train/experiment.h"

namespace mtrec {

Result<TrainedModel> LoadTrainedModel(const std::filesystem::path& path) {
  TrainedModel model;
  MTREC_ASSIGN_OR_RETURN(model.checkpoint, LoadCheckpoint(path));
  model.net = std::make_unique<MultiTaskNet>(model.checkpoint.config.model);
  MTREC_RETURN_IF_ERROR(RestoreWeights(model.checkpoint, path.string(), model.net.get()));
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

Result<int32_t> LookupRow(const std::vector<std::string>& ids, int32_t rows, std::string_view raw,
                          std::string_view what) {
  if (ids.empty()) {
    int64_t row = -1;
    const auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), row);
    if (ec == std::errc() && ptr == raw.data() + raw.size() && row >= 0 && row < rows) {
      return static_cast<int32_t>(row);
    }
  } else {
    for (size_t k = 0; k < ids.size(); ++k) {
      if (ids[k] == raw) return static_cast<int32_t>(k);
    }
  }
  return Status::NotFound(std::string(what) + " '" + std::string(raw) + "' is not in the model (" +
                          std::to_string(rows) + " rows)");
}

std::string RawId(const std::vector<std::string>& ids, int32_t row) {
  return ids.empty() ? std::to_string(row) : ids[row];
}

}  // namespace mtrec
