#include "mtrec/train/experiment.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include "mtrec/backend/backend_registry.h"
#include "mtrec/core/enum_names.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/eval/evaluator.h"
#include "mtrec/io/weights_dir.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/train/checkpoint.h"
#include "mtrec/train/checkpoint_checks.h"
#include "mtrec/train/experiment_data.h"
#include "mtrec/train/memory_estimate.h"
#include "mtrec/train/trainer.h"

namespace mtrec {

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The checkpoint state a finished run is saved with.
constexpr EnumName<StopReason> kStateNames[] = {{StopReason::kCompleted, "completed"},
                                                {StopReason::kEarlyStopped, "early_stopped"},
                                                {StopReason::kInterrupted, "interrupted"}};

// The epoch's value of `metric` on the validation split, else on the test split.
double SelectionValue(const EpochStats& s, Metric metric) {
  const EvalResult& e = s.has_validation ? s.validation : s.eval;
  return metric == Metric::kMrr ? e.mrr : e.mse;
}

// Everything a run keeps between epochs, and its checkpoint.
struct RunState {
  TrainingCheckpoint checkpoint;  // config, data facts, history, trackers
  BestTracker early;
  BestTracker save_best;
};

Status Save(const std::string& path, const char* state, RunState& run, const Backend& backend,
            const Trainer& trainer) {
  TrainingCheckpoint& c = run.checkpoint;
  c.state = state;
  CaptureTrainingState(backend, trainer, &c);
  c.early_stopping_best = {run.early.best_epoch(), run.early.best_value(),
                           run.early.epochs_since_best()};
  c.save_best = {run.save_best.best_epoch(), run.save_best.best_value(),
                 run.save_best.epochs_since_best()};
  return SaveCheckpoint(path, c);
}

}  // namespace

std::string BestCheckpointPath(const std::string& path) {
  const std::filesystem::path p(path);
  return (p.parent_path() / (p.stem().string() + ".best" + p.extension().string())).string();
}

Result<RunSummary> RunExperiment(const ExperimentConfig& config, const RunOptions& options,
                                 const std::vector<TrainingObserver*>& observers) {
  MTREC_RETURN_IF_ERROR(config.Validate());
  MTREC_ASSIGN_OR_RETURN(const ExperimentData data, PrepareExperimentData(config));
  const Interactions& all = data.dataset.interactions;
  const TrainingCheckpoint* resume = options.resume;
  if (resume != nullptr && resume->fingerprint != data.fingerprint) {
    return Status::NotFound("resume: " + data.dataset.path +
                            " is not the data set the checkpoint was trained on (" +
                            resume->data_path + ")");
  }

  ModelConfig model_config = config.model;
  model_config.num_users = all.num_users;
  model_config.num_items = all.num_items;
  MTREC_RETURN_IF_ERROR(model_config.Validate());
  // A batch of at least all the training rows is one partial batch either way,
  // so the batch buffers are sized for the rows (results are identical).
  TrainConfig train_config = config.train;
  train_config.batch_size = static_cast<int>(
      std::min<int64_t>(train_config.batch_size, std::max<size_t>(data.train.size(), 1)));
  MTREC_RETURN_IF_ERROR(CheckTrainingFitsInMemory(model_config, train_config,
                                                  train_config.batch_size,
                                                  config.early_stopping.metric != Metric::kNone));
  MTREC_ASSIGN_OR_RETURN(const std::unique_ptr<Backend> backend,
                         MakeBackend("cpu", model_config, BackendOptions{config.threads}));
  Trainer trainer(train_config, backend.get());

  RunState run;
  run.early = BestTracker(config.early_stopping.metric);
  run.save_best = BestTracker(options.save_best);
  TrainingCheckpoint& ckpt = run.checkpoint;  // ckpt.best_params: the early-stopping best
  if (resume != nullptr &&
      (resume->state == "early_stopped" ||
       (resume->state == "completed" && resume->config.early_stopping.metric != Metric::kNone))) {
    return Status::InvalidArgument("resume: the run in the checkpoint is over (it " +
                                   std::string(resume->state == "early_stopped"
                                                   ? "stopped early"
                                                   : "ended with its best epoch's weights") +
                                   "); start a new run instead");
  }
  if (resume != nullptr) {
    ckpt = *resume;
    MTREC_RETURN_IF_ERROR(RestoreTrainingState(*resume, "resume", backend.get(), &trainer));
    const TrackerState& e = resume->early_stopping_best;
    run.early.Restore(e.epoch, e.value, e.epochs_since_best);
    const TrackerState& b = resume->save_best;
    if (run.save_best.enabled()) run.save_best.Restore(b.epoch, b.value, b.epochs_since_best);
  } else if (config.init_weights.empty()) {
    backend->WriteParams([&](MultiTaskNet& net) { net.InitRandom(config.train.seed); });
  } else {
    Status loaded;
    backend->WriteParams(
        [&](MultiTaskNet& net) { loaded = LoadWeightsDir(config.init_weights, net); });
    MTREC_RETURN_IF_ERROR(loaded);
  }
  ckpt.config = config;
  ckpt.logdir = options.logdir;
  ckpt.run_id = options.run_id;
  ckpt.config.model = model_config;
  ckpt.data_path = data.dataset.path;
  ckpt.interactions = static_cast<int64_t>(all.size());
  ckpt.fingerprint = data.fingerprint;
  // Record how the data was read, so that a model reads it back the same way
  // from anywhere: an absolute path, the ids policy that was applied, and the
  // id maps themselves when ids were remapped.
  std::error_code ec;
  if (std::filesystem::exists(config.data.dataset, ec)) {
    ckpt.config.data.dataset = std::filesystem::absolute(config.data.dataset, ec).string();
  }
  const bool remapped = !data.dataset.users.is_identity() || !data.dataset.items.is_identity();
  ckpt.config.data.ids = remapped ? IdPolicy::kRemap : IdPolicy::kRaw;
  ckpt.user_ids.clear();
  ckpt.item_ids.clear();
  if (remapped) {
    for (int32_t u = 0; u < data.dataset.users.size(); ++u)
      ckpt.user_ids.push_back(data.dataset.users.Name(u));
    for (int32_t i = 0; i < data.dataset.items.size(); ++i)
      ckpt.item_ids.push_back(data.dataset.items.Name(i));
  }

  if (!options.save_path.empty()) MTREC_RETURN_IF_ERROR(CheckCheckpointText(ckpt, "--save"));

  const Evaluator evaluator(data.train, data.test);
  std::optional<Evaluator> validator;
  if (!data.validation.users.empty()) validator.emplace(data.train, data.validation);

  RunSummary summary;
  RunInfo& info = summary.info;
  info.dataset_path = data.dataset.path;
  info.ids_remapped = !data.dataset.users.is_identity();
  info.interactions = static_cast<int64_t>(all.size());
  info.num_users = all.num_users;
  info.num_items = all.num_items;
  info.users_occurring = data.users_occurring;
  info.items_occurring = data.items_occurring;
  info.train_size = static_cast<int64_t>(data.train.size());
  info.validation_size = static_cast<int64_t>(data.validation.size());
  info.test_size = static_cast<int64_t>(data.test.size());
  for (UserId u = 0; u < all.num_users; ++u)
    info.test_users += !evaluator.test_items().Of(u).empty();
  info.parameters = static_cast<int64_t>(backend->net().params().size());
  info.threads = backend->host_pool().num_threads();
  info.history = ckpt.history;
  info.resumed_at_step = trainer.steps();
  for (TrainingObserver* o : observers) MTREC_RETURN_IF_ERROR(o->OnStart(config, info));

  // Progress after every step, and the stop condition.
  const int64_t n = static_cast<int64_t>(data.train.size());
  const int64_t batches = (n + config.train.batch_size - 1) / config.train.batch_size;
  int epoch = ckpt.epochs_done + 1;
  StepProgress progress;  // of the epoch in progress; reset from the cursor at its start
  progress.epochs = config.epochs;
  progress.batches = batches;
  progress.epoch_samples = n;
  trainer.SetStepHook([&](const StepView& v) {
    progress.batch += 1;
    progress.samples = std::min(n, progress.batch * config.train.batch_size);
    progress.sums.factorization += v.losses.factorization;
    progress.sums.regression += v.losses.regression;
    progress.sums.joint += v.losses.joint;
    progress.sums.batches += 1;
    for (TrainingObserver* o : observers) o->OnStep(progress);
  });
  const auto stop_requested = [&] {
    return (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) ||
           (options.max_steps > 0 && trainer.steps() >= options.max_steps);
  };
  trainer.SetStopCondition(stop_requested);

  for (; epoch <= config.epochs; ++epoch) {
    if (stop_requested()) {
      summary.stop_reason = StopReason::kInterrupted;
      break;
    }
    EpochStats stats;
    stats.epoch = epoch;
    auto start = std::chrono::steady_clock::now();
    const EpochCursor cursor = trainer.cursor();  // a resumed epoch starts part-way
    progress.epoch = epoch;
    progress.batch = cursor.batches_done;
    progress.sums = cursor.sums;
    Result<EpochLosses> losses = trainer.TrainEpoch(data.train);
    if (!losses.ok() && losses.status().code() == Status::Code::kCancelled) {
      summary.stop_reason = StopReason::kInterrupted;
      break;
    }
    MTREC_RETURN_IF_ERROR(losses.status());
    stats.losses = *losses;
    stats.train_seconds = SecondsSince(start);
    start = std::chrono::steady_clock::now();
    stats.eval = evaluator.Evaluate(*backend);
    if (validator) {
      stats.has_validation = true;
      stats.validation = validator->Evaluate(*backend);
    }
    stats.eval_seconds = SecondsSince(start);
    ckpt.history.push_back(stats);
    ckpt.epochs_done = epoch;
    for (TrainingObserver* o : observers) MTREC_RETURN_IF_ERROR(o->OnEpoch(stats));

    if (run.early.enabled() && run.early.Update(epoch, SelectionValue(stats, run.early.metric()))) {
      ckpt.best_params.assign(backend->net().params().begin(), backend->net().params().end());
    }
    if (!options.save_path.empty() && run.save_best.enabled() &&
        run.save_best.Update(epoch, SelectionValue(stats, run.save_best.metric()))) {
      summary.best_checkpoint_path = BestCheckpointPath(options.save_path);
      MTREC_RETURN_IF_ERROR(Save(summary.best_checkpoint_path, "running", run, *backend, trainer));
    }
    if (!options.save_path.empty() && options.save_every > 0 && epoch % options.save_every == 0 &&
        epoch < config.epochs) {
      MTREC_RETURN_IF_ERROR(Save(options.save_path, "running", run, *backend, trainer));
    }
    if (run.early.enabled() && run.early.epochs_since_best() >= config.early_stopping.patience) {
      summary.stop_reason = StopReason::kEarlyStopped;
      break;
    }
  }
  if (run.save_best.enabled() && summary.best_checkpoint_path.empty() &&
      run.save_best.best_epoch() > 0) {
    summary.best_checkpoint_path = BestCheckpointPath(options.save_path);  // from before a resume
  }
  // Early stopping ends with the best validation epoch's weights. The checkpoint
  // then holds those weights; the run cannot be resumed.
  const bool restore_best = run.early.enabled() && run.early.best_epoch() > 0 &&
                            summary.stop_reason != StopReason::kInterrupted;
  if (restore_best) {
    backend->WriteParams([&](MultiTaskNet& net) {
      std::copy(ckpt.best_params.begin(), ckpt.best_params.end(), net.params().begin());
    });
    summary.best_epoch = run.early.best_epoch();
  }
  if (!options.save_path.empty()) {
    MTREC_RETURN_IF_ERROR(
        Save(options.save_path, NameOf(kStateNames, summary.stop_reason), run, *backend, trainer));
    summary.checkpoint_path = options.save_path;
  }
  summary.epochs = ckpt.history;
  summary.steps = trainer.steps();
  for (TrainingObserver* o : observers) MTREC_RETURN_IF_ERROR(o->OnEnd(summary));
  return summary;
}

}  // namespace mtrec
