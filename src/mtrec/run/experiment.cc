#include "mtrec/run/experiment.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mtrec/api/model_hooks.h"
#include "mtrec/backend/backend.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/data/split.h"
#include "mtrec/dist/communicator.h"
#include "mtrec/infer/evaluator.h"
#include "mtrec/io/crc32c.h"
#include "mtrec/model.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/model/weights_dir.h"
#include "mtrec/run/rating_l2_choice.h"
#include "mtrec/train/checkpoint.h"
#include "mtrec/train/checkpoint_checks.h"
#include "mtrec/train/config_json.h"
#include "mtrec/train/early_stopping.h"
#include "mtrec/train/experiment_data.h"
#include "mtrec/train/memory_estimate.h"

namespace mtrec {

namespace {

// The checkpoint state a finished run is saved with.
CheckpointState StateOf(StopReason reason) {
  switch (reason) {
    case StopReason::kEarlyStopped:
      return CheckpointState::kEarlyStopped;
    case StopReason::kInterrupted:
      return CheckpointState::kInterrupted;
    case StopReason::kCompleted:
      break;
  }
  return CheckpointState::kCompleted;
}

// What the run policy adds to a model's own state: where the run lives, the
// trackers of early stopping and --save_best, and the best epoch's weights.
struct RunState {
  bool writes = true;  // RunOptions::writes
  std::string logdir;
  std::string run_id;
  EarlyStopping early;  // with the best epoch's weights
  BestTracker save_best;
  int saved_epoch = 0;         // the epoch --save_every last wrote (0: none)
  bool save_failed = false;    // writing --save failed (its content kept beside it)
  bool policy_failed = false;  // an observer or a checkpoint ended the epochs with an error
};

TrainingCheckpoint CheckpointOf(const Model& model, const RunState& run, CheckpointState state) {
  TrainingCheckpoint c;
  ModelHooks::Capture(model, &c);
  c.state = state;
  c.logdir = run.logdir;
  c.run_id = run.run_id;
  c.early_stopping_best = run.early.ranking_state();
  c.rating_best = run.early.rating_state();
  c.save_best = {run.save_best.best_epoch(), run.save_best.best_value(),
                 run.save_best.epochs_since_best()};
  c.best_params_view = run.early.best_params();
  return c;
}

// Whether the model's tables are sharded across several ranks: its
// checkpoints are then collectives of the ranks.
bool ShardedAcrossRanks(const Model& model) {
  return ModelHooks::Ranks(model) > 1 && ModelHooks::BackendOf(model).tables_sharded();
}

// The run's checkpoints were claimed before it started: if a path was
// replaced by something else since, the checkpoint is kept beside it. On the
// ranks that do not write, the rows of sharded tables are sent to rank 0.
Status Save(const std::string& path, CheckpointState state, const Model& model,
            const RunState& run) {
  if (!run.writes) {
    if (!ModelHooks::BackendOf(model).tables_sharded()) return Status::Ok();
    return SaveCheckpoint("", CheckpointOf(model, run, state));
  }
  return SaveCheckpoint(path, CheckpointOf(model, run, state), {.keep_if_refused = true});
}

// The model a run starts from: a checkpoint's (resume), a PyTorch dump's, or
// the seeded initialisation.
Result<Model> StartingModel(const ExperimentConfig& config, const ModelOptions& options,
                            const ExperimentData& data, const TrainingCheckpoint* resume,
                            Communicator* comm) {
  if (resume != nullptr) {
    return ModelHooks::FromCheckpoint(*resume, "resume", options, comm);
  }
  MTREC_ASSIGN_OR_RETURN(
      Model model, ModelHooks::Make(options, data.dataset.users, data.dataset.items, comm));
  Backend& backend = ModelHooks::BackendOf(model);
  if (config.init_weights.empty()) {
    backend.InitRandom(config.train.seed);
  } else {
    Status loaded;
    backend.WriteParams(
        [&](MultiTaskNet& net) { loaded = LoadWeightsDir(config.init_weights, net); });
    MTREC_RETURN_IF_ERROR(loaded);
  }
  return model;
}

// The configuration as checkpoints record it, so that a model reads its data
// back the same way from anywhere: an absolute path, the ids policy that was
// applied, the data's table sizes.
ExperimentConfig RecordedConfig(const ExperimentConfig& config, const ModelConfig& model,
                                const ExperimentData& data) {
  ExperimentConfig c = config;
  c.model = model;
  std::error_code ec;
  if (std::filesystem::exists(config.data.dataset, ec)) {
    c.data.dataset = std::filesystem::absolute(config.data.dataset, ec).string();
  }
  for (std::string* path : {&c.data.train_path, &c.data.test_path, &c.data.validation_path}) {
    if (!path->empty()) *path = std::filesystem::absolute(*path, ec).string();
  }
  const bool remapped = !data.dataset.users.is_identity() || !data.dataset.items.is_identity();
  c.data.ids = remapped ? IdPolicy::kRemap : IdPolicy::kRaw;
  return c;
}

// Records in `model` the data it is trained on, as its checkpoints name it;
// returns the configuration they record.
ExperimentConfig RecordData(Model& model, const ExperimentConfig& config, const ModelConfig& shape,
                            const ExperimentData& data) {
  ExperimentConfig recorded = RecordedConfig(config, shape, data);
  ModelHooks::RecordData(model, recorded, data.dataset.path,
                         static_cast<int64_t>(data.dataset.interactions.size()), data.fingerprint);
  return recorded;
}

// --refit: a fresh model of the same configuration and seed (`options`)
// trained on the whole training split in the split's own order, the rows a run
// with validation_fraction 0 trains on, for the epochs early stopping chose
// (per head each head for its own: FitOptions::rating_epochs), so it is that
// run's model at those epochs, within `max_steps` optimizer steps (0: no
// limit). Fills the summary's refit fields; nullopt when a stop request or
// max_steps ended it.
Result<std::optional<Model>> Refit(const ExperimentConfig& config, ModelOptions options,
                                   const ExperimentData& data, const RunOptions& run,
                                   int64_t max_steps,
                                   const std::vector<TrainingObserver*>& observers,
                                   RunSummary& summary) {
  const Interactions whole_train = TrainingSplit(config, data);
  options.train.batch_size = static_cast<int>(
      std::min<int64_t>(config.train.batch_size, std::max<size_t>(whole_train.size(), 1)));
  MTREC_ASSIGN_OR_RETURN(Model model, StartingModel(config, options, data, nullptr, run.comm));
  RecordData(model, config, options.model, data);
  summary.refit_rows = static_cast<int64_t>(whole_train.size());
  summary.refit_epochs = std::max(summary.best_epoch, summary.best_rating_epoch);
  FitOptions fit;
  fit.epochs = summary.best_epoch;
  fit.rating_epochs = summary.best_rating_epoch;
  fit.stop = run.stop;
  fit.max_steps = max_steps;
  fit.on_step = [&](const StepProgress& p) {
    for (TrainingObserver* o : observers) o->OnStep(p);
  };
  MTREC_ASSIGN_OR_RETURN(const FitResult fitted, model.Fit(whole_train, fit));
  summary.refit_steps = ModelHooks::Steps(model);
  if (fitted.interrupted) {
    summary.refit_interrupted = true;
    return std::optional<Model>();
  }
  summary.refit_eval =
      Evaluator({&whole_train}, data.test, run.comm).Evaluate(ModelHooks::BackendOf(model));
  MTREC_RETURN_IF_ERROR(ModelHooks::BackendOf(model).status());
  return std::optional<Model>(std::move(model));
}

// Data parallel: every rank must train on the same data (fingerprint) with the
// same configuration, else the ranks' steps would differ. Every rank gets the
// same answer, naming the first rank that differs from rank 0.
Status CheckRanksAgree(Communicator& comm, const ExperimentConfig& config,
                       const ExperimentData& data, const TrainingCheckpoint* resume) {
  ExperimentConfig c = config;  // where each node keeps the data may differ
  c.data.dataset.clear();
  c.data.data_dir.clear();
  c.data.train_path.clear();
  c.data.test_path.clear();
  c.data.validation_path.clear();
  std::string text = ExperimentConfigToJson(c).dump();
  if (resume != nullptr) text += "resume " + std::to_string(resume->optimizer_steps);
  if (config.shard_tables) text += " shard_tables";  // how the ranks split a step (not in the JSON)
  const std::vector<uint64_t> data_prints = comm.AllGather(data.fingerprint);
  const std::vector<uint64_t> config_prints = comm.AllGather(Crc32c(text));
  for (int r = 1; r < comm.size(); ++r) {
    if (data_prints[r] != data_prints[0]) {
      return Status::InvalidArgument(
          "dataset: rank " + std::to_string(r) + "'s data set differs from rank 0's (fingerprint " +
          std::to_string(data_prints[r]) + " vs " + std::to_string(data_prints[0]) +
          "): every rank must read the same file");
    }
    if (config_prints[r] != config_prints[0]) {
      return Status::InvalidArgument("flags: rank " + std::to_string(r) +
                                     "'s configuration differs from rank 0's: every rank must "
                                     "be started with the same flags");
    }
  }
  return Status::Ok();
}

RunInfo InfoOf(const ExperimentData& data, const Model& model) {
  const Interactions& all = data.dataset.interactions;
  const Backend& backend = ModelHooks::BackendOf(model);
  RunInfo info;
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
  std::vector<uint8_t> tested(static_cast<size_t>(all.num_users), 0);
  for (UserId u : data.test.users) tested[u] = 1;
  for (uint8_t t : tested) info.test_users += t;
  info.split_files = data.dataset.split_files;
  if (data.dataset.is_split()) {
    std::vector<uint8_t> trained_users(static_cast<size_t>(all.num_users), 0);
    std::vector<uint8_t> trained_items(static_cast<size_t>(all.num_items), 0);
    for (UserId u : data.train.users) trained_users[u] = 1;
    for (ItemId i : data.train.items) trained_items[i] = 1;
    std::vector<uint8_t> tested_items(static_cast<size_t>(all.num_items), 0);
    for (ItemId i : data.test.items) tested_items[i] = 1;
    for (size_t u = 0; u < tested.size(); ++u) info.untrained_test_users += tested[u] && !trained_users[u];
    for (size_t i = 0; i < tested_items.size(); ++i) {
      info.untrained_test_items += tested_items[i] && !trained_items[i];
    }
  }
  info.parameters = backend.net().layout().total_size();
  info.threads = backend.host_pool().num_threads();
  info.ranks = ModelHooks::Ranks(model);
  info.history = model.history();
  info.resumed_at_step = ModelHooks::Steps(model);
  return info;
}

// The run's checks before any work: the ranks agree, a resumed run is the
// checkpoint's and not over.
Status CheckRunInputs(const ExperimentConfig& config, const RunOptions& options,
                      const ExperimentData& data) {
  const TrainingCheckpoint* resume = options.resume;
  if (options.comm != nullptr && options.comm->size() > 1) {
    MTREC_RETURN_IF_ERROR(CheckRanksAgree(*options.comm, config, data, resume));
  }
  if (resume == nullptr) return Status::Ok();
  if (resume->fingerprint != data.fingerprint) {
    return Status::NotFound("resume: " + data.dataset.path +
                            " is not the data set the checkpoint was trained on (" +
                            resume->data_path + ")");
  }
  const CheckpointState state = resume->state;
  if (state == CheckpointState::kEarlyStopped || state == CheckpointState::kRefitted ||
      (state == CheckpointState::kCompleted &&
       resume->config.early_stopping.metric != Metric::kNone)) {
    return Status::InvalidArgument(
        "resume: the run in the checkpoint is over (it " +
        std::string(state == CheckpointState::kEarlyStopped ? "stopped early"
                    : state == CheckpointState::kRefitted   ? "was refitted"
                                                            : "ended with its best epoch's weights") +
        "); start a new run instead");
  }
  return Status::Ok();
}

// The model the run trains: the data's table sizes, the configuration, and
// memory for it checked.
Result<ModelOptions> PlanModel(const ExperimentConfig& config, const RunOptions& options,
                               const ExperimentData& data) {
  ModelOptions m;
  m.model = config.model;
  m.model.num_users = data.dataset.interactions.num_users;
  m.model.num_items = data.dataset.interactions.num_items;
  MTREC_RETURN_IF_ERROR(m.model.Validate());
  // A batch of at least all the training rows is one partial batch either way,
  // so the batch buffers are sized for the rows (results are identical).
  m.train = config.train;
  m.train.batch_size = static_cast<int>(
      std::min<int64_t>(config.train.batch_size, std::max<size_t>(data.train.size(), 1)));
  m.threads = config.threads;
  m.shard_tables = config.shard_tables;
  m.backend = options.backend;
  const int shards = config.shard_tables && options.comm != nullptr ? options.comm->size() : 1;
  MTREC_RETURN_IF_ERROR(CheckTrainingFitsInMemory(
      m.model, m.train, m.train.batch_size, config.early_stopping.metric != Metric::kNone, shards));
  return m;
}

// The policy's state at the start: fresh, or the resumed checkpoint's trackers
// and best weights (as `model`'s backend holds them: with sharded tables this
// rank's rows, read from the file by rows).
Result<RunState> StartRunState(const ExperimentConfig& config, const RunOptions& options,
                               const Model& model) {
  RunState run;
  run.writes = options.writes;
  run.logdir = options.logdir;
  run.run_id = options.run_id;
  run.early = EarlyStopping(config.early_stopping);
  run.save_best = BestTracker(options.save_best);
  if (const TrainingCheckpoint* resume = options.resume) {
    MTREC_ASSIGN_OR_RETURN(std::vector<float> best,
                           BestParamsFor(*resume, ModelHooks::BackendOf(model)));
    run.early.Restore(resume->early_stopping_best, resume->rating_best, std::move(best));
    const TrackerState& b = resume->save_best;
    if (run.save_best.enabled()) run.save_best.Restore(b.epoch, b.value, b.epochs_since_best);
  }
  return run;
}

// The texts a checkpoint will hold (ids, paths), checked before the run
// trains, so that a run is never trained to be lost.
Status CheckSaveTexts(const ExperimentConfig& recorded, const RunOptions& options,
                      const ExperimentData& data, const Model& model) {
  if (options.save_path.empty()) return Status::Ok();
  TrainingCheckpoint texts;
  texts.config = recorded;
  texts.logdir = options.logdir;
  texts.data_path = data.dataset.path;
  CheckpointIdLists(model.users(), model.items(), &texts);
  return CheckCheckpointText(texts, "--save");
}

// The epochs: Fit with the run's early stopping (whose state the checkpoints
// carry), and after every epoch the observers, --save_best and --save_every.
Status TrainEpochs(const ExperimentConfig& config, const RunOptions& options,
                   const std::vector<TrainingObserver*>& observers, const ExperimentData& data,
                   Model& model, RunState& run, RunSummary& summary) {
  Status policy;
  FitOptions fit;
  fit.early_stopping = config.early_stopping;
  fit.epochs = config.epochs - static_cast<int>(model.history().size());
  fit.test = &data.test;
  if (!data.validation.users.empty()) fit.validation = &data.validation;
  fit.stop = options.stop;
  fit.max_steps = options.max_steps;
  fit.on_step = [&](const StepProgress& p) {
    for (TrainingObserver* o : observers) o->OnStep(p);
  };
  fit.on_epoch = [&](const EpochStats& stats) {
    const int epoch = stats.epoch;
    for (TrainingObserver* o : observers) {
      policy = o->OnEpoch(stats);
      if (!policy.ok()) return false;
    }
    if (!options.save_path.empty() && run.save_best.enabled() &&
        run.save_best.Update(epoch, SelectionValue(stats, run.save_best.metric()))) {
      summary.best_checkpoint_path = BestCheckpointPath(options.save_path);
      policy = Save(summary.best_checkpoint_path, CheckpointState::kRunning, model, run);
      if (!policy.ok()) return false;
    }
    if (!options.save_path.empty() && options.save_every > 0 && epoch % options.save_every == 0 &&
        epoch < config.epochs) {
      policy = Save(options.save_path, CheckpointState::kRunning, model, run);
      run.save_failed = !policy.ok();
      if (!policy.ok()) return false;
      run.saved_epoch = epoch;
    }
    return true;
  };
  MTREC_ASSIGN_OR_RETURN(const FitResult fitted, ModelHooks::Fit(model, data.train, fit, run.early));
  // An observer's or a checkpoint's error ended the epochs: returned after the
  // summary says what the weights are (SaveAfterFailure saves them).
  if (fitted.stopped_early) summary.stop_reason = StopReason::kEarlyStopped;
  if (fitted.interrupted) summary.stop_reason = StopReason::kInterrupted;
  // Early stopping ended with the best validation epoch's weights (Fit
  // restored them). The checkpoint then holds those weights; the run cannot
  // be resumed.
  summary.best_epoch = fitted.best_epoch;
  summary.best_rating_epoch = fitted.best_rating_epoch;
  if (run.save_best.enabled() && summary.best_checkpoint_path.empty() &&
      run.save_best.best_epoch() > 0) {
    summary.best_checkpoint_path = BestCheckpointPath(options.save_path);  // from before a resume
  }
  summary.epochs = model.history();
  summary.steps = ModelHooks::Steps(model);
  run.policy_failed = !policy.ok();
  return policy;
}

// A run that fails after whole epochs still leaves its --save checkpoint,
// when the weights at hand are those of whole epochs, and says so after the
// error (`failure`, returned with that detail):
// - an observer's error (a run file replaced under the run) or a --save_best
//   write that failed: the weights are the last epoch's (or early stopping's
//   best epoch's, which it restored), saved as such;
// - a loss that is not finite: the step that met it was not applied, so the
//   weights are the last good epoch's if it was the epoch's first step
//   (saved, resumable like Ctrl-C's checkpoint, which would meet it again);
//   mid-epoch they are part-way into the diverging epoch, not a good
//   epoch's, and are not saved: --save then holds what --save_every wrote.
// A failure to write --save itself is not retried (its content is kept
// beside it already), nor is any other error of training (a resumed
// checkpoint that does not fit the data: the weights are the file's).
Status SaveAfterFailure(const Status& failure, const ExperimentConfig& config,
                        const RunOptions& options, const Model& model, const RunState& run,
                        const RunSummary& summary) {
  const int epochs = static_cast<int>(model.history().size());
  if (options.save_path.empty() || run.save_failed || epochs == 0) return failure;
  const bool diverged = !run.policy_failed && failure.code() == Status::Code::kAborted;
  if (!run.policy_failed && !diverged) return failure;
  if (run.policy_failed && ShardedAcrossRanks(model)) {
    // Only this rank failed; the others hold their rows and are not saving.
    return failure.WithDetail("--save was not written: the tables are sharded across the ranks, "
                              "and the other ranks did not stop with this one");
  }
  const WeightsState weights = model.weights_state();
  if (diverged && weights.extra_batches > 0) {
    const std::string kept = run.saved_epoch > 0 ? "--save " + options.save_path + " holds epoch " +
                                                       std::to_string(run.saved_epoch) +
                                                       " (written by --save_every)"
                                                 : "no --save checkpoint was written";
    return failure.WithDetail(kept + ": the weights of epoch " + std::to_string(epochs) +
                              ", the last good one, were not kept (the loss diverged " +
                              std::to_string(weights.extra_batches) +
                              (weights.extra_batches == 1 ? " batch" : " batches") +
                              " into epoch " + std::to_string(epochs + 1) +
                              "; --save_every 1 keeps every epoch's)");
  }
  const CheckpointState state = summary.best_epoch > 0    ? CheckpointState::kEarlyStopped
                                : epochs >= config.epochs ? CheckpointState::kCompleted
                                                          : CheckpointState::kInterrupted;
  if (Status saved = Save(options.save_path, state, model, run); !saved.ok()) {
    return failure.WithDetail(saved.message());
  }
  const int epoch = summary.best_epoch > 0 ? summary.best_epoch : epochs;
  const char* note = diverged                                 ? ", the last good one"
                     : state == CheckpointState::kInterrupted ? " (--resume continues it)"
                                                              : "";
  return failure.WithDetail("--save " + options.save_path + " holds the weights of epoch " +
                            std::to_string(epoch) + note);
}

// --refit after early stopping chose its epochs: the chosen model (saved
// already) and its best weights are released first, so that the refit needs
// no more memory than the run; the refit's checkpoint records the choice it
// was refitted for, not the chosen weights (which it replaces) nor
// --save_best's tracker (of the selection's epochs).
Status RefitChosen(const ExperimentConfig& config, const RunOptions& options,
                   const std::vector<TrainingObserver*>& observers, const ExperimentData& data,
                   const ModelOptions& model_options, Model model, RunState run,
                   RunSummary& summary) {
  RunState chosen;
  chosen.writes = run.writes;
  chosen.logdir = run.logdir;
  chosen.run_id = run.run_id;
  chosen.early = EarlyStopping(config.early_stopping);
  chosen.early.Restore(run.early.ranking_state(), run.early.rating_state(), {});
  chosen.save_best = BestTracker(options.save_best);
  run = RunState();
  { const Model released = std::move(model); }
  std::optional<Model> refitted;
  if (options.max_steps > 0 && summary.steps >= options.max_steps) {
    summary.refit_interrupted = true;  // --max_steps spent: no step left for the refit
  } else {
    const int64_t steps_left = options.max_steps > 0 ? options.max_steps - summary.steps : 0;
    MTREC_ASSIGN_OR_RETURN(
        refitted, Refit(config, model_options, data, options, steps_left, observers, summary));
  }
  if (refitted && !options.save_path.empty()) {
    MTREC_RETURN_IF_ERROR(Save(options.save_path, CheckpointState::kRefitted, *refitted, chosen));
  }
  return Status::Ok();
}

}  // namespace

std::string BestCheckpointPath(const std::string& path) {
  const std::filesystem::path p(path);
  return (p.parent_path() / (p.stem().string() + ".best" + p.extension().string())).string();
}

// A run's steps: check, plan, choose rating_l2 on validation if asked, start
// (or resume) the model, train the epochs under the policy, save the chosen
// model, refit it if asked.
Result<RunSummary> RunExperiment(const ExperimentConfig& given, const RunOptions& options,
                                 const std::vector<TrainingObserver*>& observers) {
  MTREC_RETURN_IF_ERROR(given.Validate());
  MTREC_ASSIGN_OR_RETURN(const ExperimentData data, PrepareExperimentData(given));
  MTREC_RETURN_IF_ERROR(CheckRunInputs(given, options, data));
  MTREC_ASSIGN_OR_RETURN(ModelOptions model_options, PlanModel(given, options, data));
  // From here on the run is the run with the chosen rating_l2 and no grid.
  ExperimentConfig config = given;
  std::vector<RatingL2Trial> trials;
  if (!given.early_stopping.rating_l2_grid.empty() && options.resume == nullptr) {
    const TrialModelMaker make = [&](const ModelOptions& o) {
      return StartingModel(given, o, data, nullptr, options.comm);
    };
    MTREC_ASSIGN_OR_RETURN(trials,
                           TryRatingL2Grid(given, model_options, data, make, options.stop));
    config = WithChosenRatingL2(given, ChosenRatingL2(trials));
    model_options.train.rating_l2 = config.train.rating_l2;
  }
  MTREC_ASSIGN_OR_RETURN(Model model, StartingModel(config, model_options, data, options.resume,
                                                    options.comm));
  const ExperimentConfig recorded = RecordData(model, config, model_options.model, data);
  MTREC_ASSIGN_OR_RETURN(RunState run, StartRunState(config, options, model));
  MTREC_RETURN_IF_ERROR(CheckSaveTexts(recorded, options, data, model));

  RunSummary summary;
  summary.info = InfoOf(data, model);
  summary.info.rating_l2_trials = std::move(trials);
  for (TrainingObserver* o : observers) MTREC_RETURN_IF_ERROR(o->OnStart(config, summary.info));
  if (Status s = TrainEpochs(config, options, observers, data, model, run, summary); !s.ok()) {
    return SaveAfterFailure(s, config, options, model, run, summary);
  }
  // The chosen model is saved first: a refit that fails or is stopped leaves it.
  if (!options.save_path.empty()) {
    MTREC_RETURN_IF_ERROR(Save(options.save_path, StateOf(summary.stop_reason), model, run));
    summary.checkpoint_path = options.save_path;
  }
  if (config.early_stopping.refit && summary.best_epoch > 0) {
    MTREC_RETURN_IF_ERROR(RefitChosen(config, options, observers, data, model_options,
                                      std::move(model), std::move(run), summary));
  }
  for (TrainingObserver* o : observers) MTREC_RETURN_IF_ERROR(o->OnEnd(summary));
  return summary;
}

}  // namespace mtrec
