#include "mtrec/train/checkpoint_checks.h"

#include <string>
#include <utility>
#include <vector>

#include "mtrec/data/text_encoding.h"

namespace mtrec {

namespace {

Status Bad(const std::string& where, const std::string& what) {
  return Status::Corruption(where + ": inconsistent training progress: " + what);
}

Status CheckTracker(const TrackerState& t, int epochs_done, const std::string& name,
                    const std::string& where) {
  if (t.epoch < 0 || t.epoch > epochs_done || t.epochs_since_best < 0) {
    return Bad(where, name + ".epoch " + std::to_string(t.epoch) + " is not in [0, " +
                          std::to_string(epochs_done) + "]");
  }
  return Status::Ok();
}

}  // namespace

Status CheckCheckpointProgress(const TrainingCheckpoint& c, const std::string& where) {
  if (c.epochs_done < 0 || c.epochs_done > c.config.epochs) {
    return Bad(where, "epochs_done " + std::to_string(c.epochs_done) + " is not in [0, " +
                          std::to_string(c.config.epochs) + "]");
  }
  if (c.history.size() != static_cast<size_t>(c.epochs_done)) {
    return Bad(where, std::to_string(c.history.size()) + " history entries for epochs_done " +
                          std::to_string(c.epochs_done));
  }
  for (size_t k = 0; k < c.history.size(); ++k) {
    if (c.history[k].epoch != static_cast<int>(k) + 1) {
      return Bad(where, "history entry " + std::to_string(k + 1) + " is numbered " +
                            std::to_string(c.history[k].epoch));
    }
  }
  if (c.batches_done < 0 || c.optimizer_steps < 0) {
    return Bad(where, "batches_done " + std::to_string(c.batches_done) + " and optimizer steps " +
                          std::to_string(c.optimizer_steps) + " must be >= 0");
  }
  if (c.sums.batches != c.batches_done) {  // the loss sums are of the batches done
    return Bad(where, "the loss sums count " + std::to_string(c.sums.batches) +
                          " batches for batches_done " + std::to_string(c.batches_done));
  }
  MTREC_RETURN_IF_ERROR(
      CheckTracker(c.early_stopping_best, c.epochs_done, "early_stopping_best", where));
  return CheckTracker(c.save_best, c.epochs_done, "save_best", where);
}

Status CheckCheckpointText(const TrainingCheckpoint& c, const std::string& flag) {
  const auto cannot_hold = [&](const std::string& what, const std::string& text) {
    return flag + ": a checkpoint cannot hold " + what + " '" + ToUtf8(text) +
           "' (shown as Latin-1): it is not UTF-8 text; ";
  };
  for (const std::vector<std::string>* ids : {&c.user_ids, &c.item_ids}) {
    for (const std::string& id : *ids) {
      if (IsValidUtf8(id)) continue;
      return Status::Corruption(
          cannot_hold(ids == &c.user_ids ? "the user id" : "the item id", id) +
          "re-encode the ratings file as UTF-8 (checked before training)");
    }
  }
  // A path is the flag's that gave it: a usage error, fixed by another path.
  const std::pair<const std::string*, const char*> paths[] = {
      {&c.data_path, "--dataset"},
      {&c.config.data.dataset, "--dataset"},
      {&c.config.data.data_dir, "--data_dir"},
      {&c.config.data.train_path, "--train"},
      {&c.config.data.test_path, "--test"},
      {&c.config.data.validation_path, "--validation"},
      {&c.logdir, "--logdir"},
      {&c.config.init_weights, "--init_weights"}};
  for (const auto& [path, source] : paths) {
    if (IsValidUtf8(*path)) continue;
    return Status::InvalidArgument(cannot_hold("the " + std::string(source) + " path", *path) +
                                   "give " + source + " a UTF-8 path (checked before training)");
  }
  return Status::Ok();
}

}  // namespace mtrec
