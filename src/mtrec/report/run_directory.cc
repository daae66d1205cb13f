#include "mtrec/report/run_directory.h"

#include <nlohmann/json.hpp>
#include <system_error>

#include "mtrec/core/version.h"
#include "mtrec/io/atomic_file.h"
#include "mtrec/report/run_files.h"
#include "mtrec/train/config_json.h"

namespace mtrec {

namespace {
// Keys in insertion order, numbers in their shortest round-trip form, NaN and
// infinities as null.
using Json = nlohmann::ordered_json;
}  // namespace

std::string ConfigJson(const ExperimentConfig& config, const RunInfo& info) {
  ExperimentConfig resolved = config;  // the table sizes come from the data
  resolved.model.num_users = info.num_users;
  resolved.model.num_items = info.num_items;
  Json root = {
      {"mtrec_version", kVersion},
      {"config", ExperimentConfigToJson(resolved)},
      {"run",
       {{"threads", info.threads},
        {"ranks", info.ranks},
        {"parameters", info.parameters},
        {"data_path", info.dataset_path},
        {"ids_remapped", info.ids_remapped},
        {"interactions", info.interactions},
        {"train_size", info.train_size},
        {"validation_size", info.validation_size},
        {"test_size", info.test_size},
        {"test_users", info.test_users}}},
  };
  if (!info.rating_l2_trials.empty()) {  // config.train.rating_l2 was chosen among these
    Json trials = Json::array();
    for (const RatingL2Trial& t : info.rating_l2_trials) {
      trials.push_back({{"rating_l2", t.rating_l2},
                        {"val_mse", t.val_mse},
                        {"best_epoch", t.best_epoch},
                        {"epochs", t.epochs}});
    }
    root["run"]["rating_l2_trials"] = std::move(trials);
  }
  if (!info.split_files.train.empty()) {  // a predefined split's
    root["run"]["untrained_test_users"] = info.untrained_test_users;
    root["run"]["untrained_test_items"] = info.untrained_test_items;
  }
  // config.json is for people and tools to read: a data path that is not UTF-8
  // is shown with U+FFFD in place of the bad bytes rather than failing the run.
  return root.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string EpochJson(const EpochStats& stats) {
  Json o = {{"epoch", stats.epoch},
            {"factorization_loss", stats.losses.factorization},
            {"regression_loss", stats.losses.regression},
            {"joint_loss", stats.losses.joint},
            {"mrr", stats.eval.mrr},
            {"mse", stats.eval.mse},
            {"mrr_users", stats.eval.mrr_users}};
  if (stats.has_validation) {
    o["val_mrr"] = stats.validation.mrr;
    o["val_mse"] = stats.validation.mse;
  }
  o["train_seconds"] = stats.train_seconds;
  o["eval_seconds"] = stats.eval_seconds;
  return o.dump();
}

Status RunDirectory::Write(std::string_view name, std::string_view content) const {
  return WriteFileAtomicallyAt(folder_.get(), dir_, std::string(name), content,
                               {.keep_if_refused = true});  // the claimed folder's files
}

Status RunDirectory::OnStart(const ExperimentConfig& config, const RunInfo& info) {
  if (!folder_.valid()) {
    MTREC_ASSIGN_OR_RETURN(folder_, CreateAndOpenFolder(dir_));
  }
  metrics_.clear();
  for (const EpochStats& s : info.history) metrics_ += EpochJson(s) + "\n";
  MTREC_RETURN_IF_ERROR(Write(kMetricsFileName, metrics_));
  return Write(kConfigFileName, ConfigJson(config, info));
}

Status RunDirectory::OnEpoch(const EpochStats& stats) {
  metrics_ += EpochJson(stats) + "\n";
  return Write(kMetricsFileName, metrics_);
}

Status RunDirectory::OnEnd(const RunSummary& summary) {
  if (summary.refit_interrupted) return Write(kRefitFileName, "{\"interrupted\":true}\n");
  if (summary.refit_epochs == 0) return Status::Ok();
  Json j;
  j["rows"] = summary.refit_rows;
  j["epochs"] = summary.refit_epochs;
  j["ranking_epochs"] = summary.best_epoch;
  j["rating_epochs"] = summary.best_rating_epoch;
  j["steps"] = summary.refit_steps;
  j["mrr"] = summary.refit_eval.mrr;
  j["mse"] = summary.refit_eval.mse;
  return Write(kRefitFileName, j.dump() + "\n");
}

}  // namespace mtrec
