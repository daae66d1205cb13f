#include "mtrec/report/run_directory.h"

#include <system_error>

#include "mtrec/core/version.h"
#include "mtrec/io/atomic_file.h"
#include "mtrec/io/json_writer.h"

namespace mtrec {

namespace {

const char* BprName(BprLoss loss) { return loss == BprLoss::kLog ? "log" : "sigmoid"; }
}  // namespace

std::string ConfigJson(const ExperimentConfig& config, const RunInfo& info) {
  JsonObject model;
  model.Add("embedding_dim", config.model.embedding_dim)
      .Add("hidden_layers", config.model.hidden_layers)
      .Add("shared_embeddings", config.model.shared_embeddings)
      .Add("user_bias", config.model.user_bias)
      .Add("parameters", info.parameters);
  JsonObject train;
  train.Add("epochs", config.epochs)
      .Add("factorization_weight", config.train.factorization_weight)
      .Add("regression_weight", config.train.regression_weight)
      .Add("bpr_loss", BprName(config.train.bpr_loss))
      .Add("batch_size", config.train.batch_size)
      .Add("optimizer", OptimizerName(config.train.optimizer.kind))
      .Add("learning_rate", config.train.optimizer.learning_rate)
      .Add("l2", config.train.optimizer.weight_decay)
      .Add("seed", static_cast<int64_t>(config.train.seed))
      .Add("threads", info.threads)
      .Add("init_weights", config.init_weights)
      .Add("early_stopping", MetricName(config.early_stopping.metric))
      .Add("patience", config.early_stopping.patience);
  JsonObject data;
  data.Add("dataset", config.data.dataset)
      .Add("path", info.dataset_path)
      .Add("interactions", info.interactions)
      .Add("num_users", static_cast<int64_t>(info.num_users))
      .Add("num_items", static_cast<int64_t>(info.num_items))
      .Add("test_fraction", config.test_fraction)
      .Add("split_seed", static_cast<int64_t>(123))
      .Add("validation_fraction", config.validation_fraction)
      .Add("train_size", info.train_size)
      .Add("validation_size", info.validation_size)
      .Add("test_size", info.test_size)
      .Add("test_users", info.test_users);
  JsonObject root;
  root.Add("mtrec_version", kVersion).Add("model", model).Add("train", train).Add("data", data);
  return root.str() + "\n";
}

std::string EpochJson(const EpochStats& stats) {
  JsonObject o;
  o.Add("epoch", stats.epoch)
      .Add("factorization_loss", stats.losses.factorization)
      .Add("regression_loss", stats.losses.regression)
      .Add("joint_loss", stats.losses.joint)
      .Add("mrr", stats.eval.mrr)
      .Add("mse", stats.eval.mse)
      .Add("mrr_users", stats.eval.mrr_users);
  if (stats.has_validation) {
    o.Add("val_mrr", stats.validation.mrr).Add("val_mse", stats.validation.mse);
  }
  o.Add("train_seconds", stats.train_seconds).Add("eval_seconds", stats.eval_seconds);
  return o.str();
}

Status RunDirectory::OnStart(const ExperimentConfig& config, const RunInfo& info) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::IOError(dir_.string() + ": cannot create the run folder: " + ec.message());
  metrics_.clear();
  for (const EpochStats& s : info.history) metrics_ += EpochJson(s) + "\n";
  MTREC_RETURN_IF_ERROR(WriteFileAtomically(dir_ / "metrics.jsonl", metrics_));
  return WriteFileAtomically(dir_ / "config.json", ConfigJson(config, info));
}

Status RunDirectory::OnEpoch(const EpochStats& stats) {
  metrics_ += EpochJson(stats) + "\n";
  return WriteFileAtomically(dir_ / "metrics.jsonl", metrics_);
}

}  // namespace mtrec
