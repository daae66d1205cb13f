#include "mtrec/train/experiment.h"

#include <chrono>
#include <cmath>

#include "mtrec/core/thread_pool.h"
#include "mtrec/data/split.h"
#include "mtrec/io/weights_dir.h"
#include "mtrec/model/multitask_net.h"

namespace mtrec {

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

constexpr int kMaxThreads = 1024;

}  // namespace

Status ExperimentConfig::Validate() const {
  if (!(test_fraction > 0.0 && test_fraction < 1.0)) {
    return Status::InvalidArgument("--test_fraction: expected a number in (0, 1), got " +
                                   std::to_string(test_fraction));
  }
  if (epochs < 1) {
    return Status::InvalidArgument("--epochs: expected an integer >= 1, got " +
                                   std::to_string(epochs));
  }
  if (threads < 0 || threads > kMaxThreads) {
    return Status::InvalidArgument("--threads: expected an integer in [1, 1024], got " +
                                   std::to_string(threads));
  }
  MTREC_RETURN_IF_ERROR(train.Validate());
  ModelConfig shape = model;
  shape.num_users = shape.num_items = 1;  // the data's sizes are checked once loaded
  return shape.Validate();
}

Result<RunSummary> RunExperiment(const ExperimentConfig& config,
                                 const std::vector<TrainingObserver*>& observers) {
  MTREC_RETURN_IF_ERROR(config.Validate());
  MTREC_ASSIGN_OR_RETURN(const Dataset dataset, LoadDataset(config.data));
  const Interactions& all = dataset.interactions;
  const TrainTestSplit split = RandomTrainTestSplit(all, config.test_fraction);
  if (split.train.size() == 0 || split.test.size() == 0) {
    return Status::InvalidArgument("--test_fraction " + std::to_string(config.test_fraction) +
                                   " leaves an empty train or test set for " +
                                   std::to_string(all.size()) + " interactions");
  }

  ModelConfig model_config = config.model;
  model_config.num_users = all.num_users;
  model_config.num_items = all.num_items;
  MTREC_RETURN_IF_ERROR(model_config.Validate());
  MultiTaskNet net(model_config);
  if (config.init_weights.empty()) {
    net.InitRandom(config.train.seed);
  } else {
    MTREC_RETURN_IF_ERROR(LoadWeightsDir(config.init_weights, net));
  }

  ThreadPool pool(config.threads > 0 ? config.threads : HardwareThreads());
  Trainer trainer(config.train, &net, &pool);
  const Evaluator evaluator(split.train, split.test);

  RunSummary summary;
  RunInfo& info = summary.info;
  info.dataset_path = dataset.path;
  info.ids_remapped = !dataset.users.is_identity();
  info.interactions = static_cast<int64_t>(all.size());
  info.num_users = all.num_users;
  info.num_items = all.num_items;
  info.train_size = static_cast<int64_t>(split.train.size());
  info.test_size = static_cast<int64_t>(split.test.size());
  for (UserId u = 0; u < all.num_users; ++u) info.test_users += !evaluator.test_items().Of(u).empty();
  info.parameters = static_cast<int64_t>(net.params().size());
  info.threads = pool.num_threads();
  for (TrainingObserver* o : observers) MTREC_RETURN_IF_ERROR(o->OnStart(config, info));

  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    EpochStats stats;
    stats.epoch = epoch;
    auto start = std::chrono::steady_clock::now();
    MTREC_ASSIGN_OR_RETURN(stats.losses, trainer.TrainEpoch(split.train));
    stats.train_seconds = SecondsSince(start);
    start = std::chrono::steady_clock::now();
    stats.eval = evaluator.Evaluate(net, pool);
    stats.eval_seconds = SecondsSince(start);
    for (TrainingObserver* o : observers) MTREC_RETURN_IF_ERROR(o->OnEpoch(stats));
    summary.epochs.push_back(stats);
  }
  return summary;
}

}  // namespace mtrec
