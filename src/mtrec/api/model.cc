#include "mtrec/model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <new>
#include <optional>
#include <thread>

#include "mtrec/api/model_hooks.h"
#include "mtrec/backend/backend.h"
#include "mtrec/backend/backend_registry.h"
#include "mtrec/core/check.h"
#include "mtrec/core/scratch_pool.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/dist/communicator.h"
#include "mtrec/infer/evaluator.h"
#include "mtrec/infer/fold_in.h"
#include "mtrec/infer/item_index.h"
#include "mtrec/infer/item_prefilter.h"
#include "mtrec/infer/model_evaluation.h"
#include "mtrec/infer/recommend.h"
#include "mtrec/infer/similar_items.h"
#include "mtrec/io/file_entry.h"
#include "mtrec/train/checkpoint.h"
#include "mtrec/train/early_stopping.h"
#include "mtrec/train/experiment_data.h"
#include "mtrec/train/memory_estimate.h"
#include "mtrec/train/trainer.h"

namespace mtrec {

struct Model::Impl {
  ModelOptions options;
  // Data parallel: the ranks that train this model together, bit-identical to
  // one process (dist/communicator.h); null: this process alone.
  Communicator* comm = nullptr;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<Trainer> trainer;  // the stream and the optimizer's state live on
  std::vector<EpochStats> history;
  IdMap users;
  IdMap items;
  // The known interactions' items (model.h), for recommendations. A loaded
  // model builds them on first need from its recorded data set, so they are
  // set under data_mutex (Fit and SetKnownInteractions run alone).
  mutable std::optional<RecommendationCandidates> candidates;
  // Where the recorded data set is now (LoadOptions), and the data once read.
  std::string dataset_override, data_dir_override;
  mutable std::mutex data_mutex;
  mutable std::unique_ptr<TrainingData> training_data;
  // The state of a loaded checkpoint's weights, until a Fit moves them.
  std::optional<WeightsState> loaded_weights;
  // The backend's thread pool runs one job at a time (core/thread_pool.h), so
  // the const calls that use the backend take turns: they may be called
  // concurrently, as model.h promises.
  mutable std::mutex backend_mutex;
  // On the CPU backend the weights are the host net's, so one user's scores
  // and ratings are computed on the calling thread, bit-identical to the
  // backend's own, and such calls run at once without backend_mutex: each
  // with its own scratch, as many at once as the machine has hardware threads
  // (more would only take turns on the cores and hold more memory).
  bool host_scoring = false;
  mutable ScratchPool<RecommendScratch> scratch{
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))};
  // What checkpoints record about the data and the run (the run policy fills
  // in the rest; an in-memory model leaves the data facts empty).
  ExperimentConfig experiment;
  std::string data_path;
  int64_t interactions = 0;
  uint32_t fingerprint = 0;
  // The weights the last Fit left are its early stopping's best epoch's (its
  // trackers): Save records that, so the checkpoint names the right epochs.
  struct RestoredBest {
    EarlyStoppingConfig config;
    TrackerState ranking, rating;
  };
  std::optional<RestoredBest> restored_best;
  // The last Fit gave each head its own epoch count (FitOptions::rating_epochs):
  // the epochs (history numbering) whose heads the model has.
  struct SplitHeads {
    int ranking_epoch = 0, rating_epoch = 0;
  };
  std::optional<SplitHeads> split_heads;
  // The approximate index Recommend answers from (BuildIndex), of the weights
  // it was built from: whatever writes the weights drops it.
  std::unique_ptr<ItemIndex> index;
  // The int8 bounds that let the exact pass score only the items they cannot
  // rule out (infer/item_prefilter.h), for tables of at least
  // kPrefilterItems items: built by the first host Recommend (not during a
  // Fit, whose steps write the weights without a word) and dropped with the
  // index. prefilter_built: tried since the last drop (null: weights not
  // all finite, or a small table).
  static constexpr int32_t kPrefilterItems = 4096;
  mutable std::mutex prefilter_mutex;
  mutable std::shared_ptr<const ItemPrefilter> prefilter;
  mutable bool prefilter_built = false;
  bool fitting = false;
  void DropWeightCopies() {
    index.reset();
    const std::lock_guard<std::mutex> lock(prefilter_mutex);
    prefilter.reset();
    prefilter_built = false;
  }
  // With tables sharded across several ranks (only the run policy makes such
  // a model: ModelHooks::Make with a communicator) no rank holds the whole
  // model: `what`, which reads whole tables, is refused.
  Status CheckHoldsModel(const char* what) const {
    if (backend->holds_whole_model()) return Status::Ok();
    return Status::Unavailable(
        std::string(what) + ": the model's tables are sharded across " +
        std::to_string(comm != nullptr ? comm->size() : 1) +
        " ranks, each holding its own rows; save it and load the checkpoint in one process");
  }
  // The prefilter of the current weights, built on first need (null: none).
  std::shared_ptr<const ItemPrefilter> Prefilter() const {
    if (fitting || backend->net().config().num_items < kPrefilterItems) return nullptr;
    const std::lock_guard<std::mutex> lock(prefilter_mutex);
    if (!prefilter_built) {
      prefilter = ItemPrefilter::Build(backend->net());
      prefilter_built = true;
    }
    return prefilter;
  }
};

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Every row of `x` inside the model's tables, its columns of one length.
Status CheckRows(const Interactions& x, const ModelConfig& model, const char* what) {
  const std::string name(what);
  if (x.items.size() != x.users.size() || x.ratings.size() != x.users.size()) {
    return Status::InvalidArgument(
        name + ": users, items and ratings differ in length (" + std::to_string(x.users.size()) +
        ", " + std::to_string(x.items.size()) + ", " + std::to_string(x.ratings.size()) + ")");
  }
  if (x.num_users != model.num_users || x.num_items != model.num_items) {
    return Status::InvalidArgument(
        name + ": its tables are " + std::to_string(x.num_users) + " users x " +
        std::to_string(x.num_items) + " items, the model's " + std::to_string(model.num_users) +
        " x " + std::to_string(model.num_items) + " (build both from one data set)");
  }
  for (size_t k = 0; k < x.size(); ++k) {
    if (x.users[k] < 0 || x.users[k] >= model.num_users || x.items[k] < 0 ||
        x.items[k] >= model.num_items) {
      return Status::InvalidArgument(name + ": row " + std::to_string(k) + " (user " +
                                     std::to_string(x.users[k]) + ", item " +
                                     std::to_string(x.items[k]) + ") is outside the tables");
    }
    if (!std::isfinite(x.ratings[k])) {  // would turn every weight into NaN part-way
      return Status::InvalidArgument(name + ": the rating of row " + std::to_string(k) +
                                     " is not a finite number");
    }
  }
  return Status::Ok();
}

Status CheckUser(UserId user, const ModelConfig& model) {
  if (user >= 0 && user < model.num_users) return Status::Ok();
  return Status::InvalidArgument("user: row " + std::to_string(user) + " is outside the model's " +
                                 std::to_string(model.num_users) + " users");
}

Status CheckItem(ItemId item, const ModelConfig& model) {
  if (item >= 0 && item < model.num_items) return Status::Ok();
  return Status::InvalidArgument("item: row " + std::to_string(item) + " is outside the model's " +
                                 std::to_string(model.num_items) + " items");
}

// The table row of the raw id `raw`; NotFound names `what` and the id.
Result<int32_t> FindRow(const IdMap& ids, std::string_view raw, std::string_view what) {
  if (const std::optional<int32_t> row = ids.Find(raw)) return *row;
  return Status::NotFound(std::string(what) + " '" + std::string(raw) + "' is not in the model (" +
                          std::to_string(ids.size()) + " rows)");
}

// Which training state a checkpoint's weights are in.
WeightsState WeightsStateOf(const TrainingCheckpoint& c) {
  WeightsState w;
  w.epoch = c.epochs_done;
  w.epochs_trained = c.epochs_done;
  w.refitted = c.state == CheckpointState::kRefitted;
  w.best_restored = c.config.early_stopping.metric != Metric::kNone &&
                    (c.state == CheckpointState::kEarlyStopped ||
                     c.state == CheckpointState::kCompleted || w.refitted) &&
                    c.early_stopping_best.epoch > 0;
  if (w.best_restored) {
    w.epoch = c.early_stopping_best.epoch;
    w.per_head = c.config.early_stopping.per_head;
  } else {
    w.extra_batches = c.batches_done;
  }
  if (w.best_restored || w.refitted) w.rating_epoch = c.rating_best.epoch;
  return w;
}

// `make()`, or a one-line error instead of std::bad_alloc escaping to the
// caller: a model's tables are sized by its data and configuration.
template <class T, class F>
Result<T> WithoutBadAlloc(const char* what, F&& make) {
  try {
    return make();
  } catch (const std::bad_alloc&) {
    return Status::Unavailable(std::string(what) +
                               ": out of memory (the model's tables, optimizer state or the "
                               "data's buffers do not fit)");
  }
}

// Clears the trainer's hooks when a Fit ends, however it ends: they refer to
// the Fit's locals.
class HookReset {
 public:
  explicit HookReset(Trainer& trainer) : trainer_(trainer) {}
  ~HookReset() {
    trainer_.SetStepHook(nullptr);
    trainer_.SetStopCondition(nullptr);
  }

 private:
  Trainer& trainer_;
};

}  // namespace

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Result<Model> ModelHooks::Make(const ModelOptions& options, const IdMap& users,
                               const IdMap& items, Communicator* comm) {
  MTREC_RETURN_IF_ERROR(options.model.Validate());
  MTREC_RETURN_IF_ERROR(options.train.Validate());
  if (options.threads < 0 || options.threads > ExperimentConfig::kMaxThreads) {
    return Status::InvalidArgument("threads: expected an integer in [0, " +
                                   std::to_string(ExperimentConfig::kMaxThreads) + "], got " +
                                   std::to_string(options.threads));
  }
  if (options.model.rating_implicit && options.train.optimizer.kind != OptimizerKind::kAdam) {
    return Status::InvalidArgument(
        "rating_implicit: needs the adam optimizer (its item table's gradient is dense)");
  }
  if (options.model.rating_implicit && options.shard_tables) {
    return Status::InvalidArgument("shard_tables: not with rating_implicit");
  }
  auto impl = std::make_unique<Model::Impl>();
  impl->options = options;
  impl->comm = comm;
  MTREC_ASSIGN_OR_RETURN(
      impl->backend, MakeBackend(options.backend, options.model,
                                 BackendOptions{options.threads, comm, options.shard_tables}));
  impl->host_scoring = impl->backend->name() == "cpu";
  impl->trainer = std::make_unique<Trainer>(options.train, impl->backend.get());
  impl->users = users;
  impl->items = items;
  impl->experiment.model = options.model;
  impl->experiment.train = options.train;
  impl->experiment.threads = options.threads;
  return Model(std::move(impl));
}

Result<Model> Model::Create(const ModelOptions& options, const Dataset& data) {
  return WithoutBadAlloc<Model>("Model::Create", [&] { return CreateModel(options, data); });
}

Result<Model> Model::Load(const std::filesystem::path& path, int threads) {
  LoadOptions options;
  options.threads = threads;
  return Load(path, options);
}

Result<Model> Model::Load(const std::filesystem::path& path, const LoadOptions& options) {
  return WithoutBadAlloc<Model>("Model::Load", [&] { return LoadModel(path, options); });
}

Result<FitResult> Model::Fit(const Interactions& train, const FitOptions& options) {
  return WithoutBadAlloc<FitResult>("Model::Fit",
                                    [&] { return FitModel(train, options, nullptr); });
}

Result<Model> Model::CreateModel(const ModelOptions& options, const Dataset& data) {
  ModelOptions o = options;
  const Interactions& x = data.interactions;
  if (o.model.num_users == 0) o.model.num_users = x.num_users;
  if (o.model.num_items == 0) o.model.num_items = x.num_items;
  if (o.model.num_users != x.num_users || o.model.num_items != x.num_items) {
    return Status::InvalidArgument(
        "num_users: the configuration's tables (" + std::to_string(o.model.num_users) + " x " +
        std::to_string(o.model.num_items) + ") are not the data's (" + std::to_string(x.num_users) +
        " x " + std::to_string(x.num_items) + "); leave them 0");
  }
  // Before anything is allocated: raw ids size the tables by the largest id.
  MTREC_RETURN_IF_ERROR(o.model.Validate());
  MTREC_RETURN_IF_ERROR(o.train.Validate());
  MTREC_RETURN_IF_ERROR(CheckTrainingFitsInMemory(
      o.model, o.train, std::min<int64_t>(o.train.batch_size, std::max<size_t>(x.size(), 1)),
      /*early_stopping=*/false));
  const IdMap users = data.users.size() == x.num_users ? data.users : IdMap::Identity(x.num_users);
  const IdMap items = data.items.size() == x.num_items ? data.items : IdMap::Identity(x.num_items);
  MTREC_ASSIGN_OR_RETURN(Model model, ModelHooks::Make(o, users, items, nullptr));
  MTREC_RETURN_IF_ERROR(CheckRows(x, o.model, "data"));
  Impl& m = *model.impl_;
  m.backend->InitRandom(o.train.seed);
  m.data_path = data.path;
  // Checkpoints name the data as it was given (an in-memory set is not found
  // again by name) and how its ids were numbered.
  m.experiment.data.dataset = data.path;
  if (data.is_split()) {  // found again through its files
    m.experiment.data.dataset.clear();
    m.experiment.data.train_path = data.split_files.train;
    m.experiment.data.validation_path = data.split_files.validation;
    m.experiment.data.test_path = data.split_files.test;
  }
  m.experiment.data.ids =
      users.is_identity() && items.is_identity() ? IdPolicy::kRaw : IdPolicy::kRemap;
  m.interactions = static_cast<int64_t>(x.size());
  m.fingerprint = DataFingerprint(x);
  m.candidates.emplace(x);
  return model;
}

namespace {

// rating_implicit: SVD++'s N(u) from `parts`, the rows the weights were fitted on.
void SetImplicitItems(Backend& backend, std::initializer_list<const Interactions*> parts) {
  if (!backend.net().config().rating_implicit) return;
  auto sets = std::make_shared<const UserItemSets>(UserItemSets::Build(parts));
  backend.WriteParams([&](MultiTaskNet& net) { net.SetImplicitItems(sets); });
}

}  // namespace

Result<Model> Model::LoadModel(const std::filesystem::path& path, const LoadOptions& load) {
  MTREC_ASSIGN_OR_RETURN(const TrainingCheckpoint checkpoint, LoadCheckpoint(path));
  ModelOptions options;
  options.model = checkpoint.config.model;
  options.train = checkpoint.config.train;
  // The batch buffers need not exceed the rows trained on (a larger batch is
  // one partial batch, as the run that wrote the checkpoint had it).
  if (checkpoint.interactions > 0 && checkpoint.interactions < options.train.batch_size) {
    options.train.batch_size = static_cast<int>(checkpoint.interactions);
  }
  options.threads = load.threads;
  options.backend = load.backend;
  MTREC_ASSIGN_OR_RETURN(Model model,
                         ModelHooks::FromCheckpoint(checkpoint, path.string(), options, nullptr));
  Impl& m = *model.impl_;
  m.dataset_override = load.dataset;
  m.data_dir_override = load.data_dir;
  m.loaded_weights = WeightsStateOf(checkpoint);
  if (options.model.rating_implicit) {
    // Its ratings read each user's training items: those of the recorded data.
    Result<const TrainingData*> data = model.training_data();
    if (!data.ok()) {
      return data.status().WithContext(path.string() +
                                       ": rating_implicit reads the users' training rows");
    }
    const bool refitted = m.loaded_weights->refitted;
    SetImplicitItems(*m.backend, {&(*data)->train, refitted ? &(*data)->validation : nullptr});
  }
  return model;
}

namespace {

// Every argument of a Fit call, checked before anything changes. `external`:
// the run policy's early stopping (ModelHooks::Fit), which may refit.
Status CheckFitArguments(const Interactions& train, const FitOptions& options,
                         const ModelConfig& shape, bool external) {
  if (options.epochs < 0) {
    return Status::InvalidArgument("epochs: expected >= 0, got " + std::to_string(options.epochs));
  }
  if (options.max_steps < 0) return Status::InvalidArgument("max_steps: expected >= 0");
  if (train.size() == 0) return Status::InvalidArgument("train: no interactions to train on");
  if (train.size() >= (size_t{1} << 31)) {
    return Status::InvalidArgument("train: more than 2^31 - 1 interactions in one data set");
  }
  MTREC_RETURN_IF_ERROR(CheckRows(train, shape, "train"));
  if (options.test != nullptr) MTREC_RETURN_IF_ERROR(CheckRows(*options.test, shape, "test"));
  if (options.validation != nullptr) {
    MTREC_RETURN_IF_ERROR(CheckRows(*options.validation, shape, "validation"));
  }
  MTREC_RETURN_IF_ERROR(options.early_stopping.Validate(shape));
  if (options.early_stopping.refit && !external) {
    return Status::InvalidArgument(
        "early_stopping: refit is mtrec train's (--refit); with the library, fit a new model on "
        "the training and validation rows for the chosen epochs (FitOptions::rating_epochs)");
  }
  if (options.rating_epochs < 0) {
    return Status::InvalidArgument("rating_epochs: expected >= 0, got " +
                                   std::to_string(options.rating_epochs));
  }
  if (options.rating_epochs > 0) {
    if (shape.shared_embeddings) {
      return Status::InvalidArgument(
          "rating_epochs: needs separate embeddings (shared tables serve both heads)");
    }
    if (options.epochs < 1) {
      return Status::InvalidArgument("rating_epochs: needs epochs >= 1 (the ranking head's)");
    }
    if (options.early_stopping.metric != Metric::kNone) {
      return Status::InvalidArgument(
          "rating_epochs: not with early_stopping (which chooses each head's epoch itself)");
    }
  }
  if (options.early_stopping.metric != Metric::kNone &&
      (options.validation == nullptr || options.validation->size() == 0)) {
    return Status::InvalidArgument(
        "early_stopping: needs validation interactions (choosing the epoch on the test split "
        "would report a flattered test figure)");
  }
  return Status::Ok();
}

// The step counts on_step reports, for the epoch in progress.
class StepCounter {
 public:
  StepCounter(int64_t rows, int64_t batch_size, int epochs)
      : rows_(rows), batch_size_(batch_size) {
    progress_.epochs = epochs;
    progress_.batches = (rows + batch_size - 1) / batch_size;
    progress_.epoch_samples = rows;
  }
  // At an epoch's start (a resumed epoch starts part-way, at the cursor).
  void StartEpoch(int epoch, const EpochCursor& cursor) {
    progress_.epoch = epoch;
    progress_.batch = cursor.batches_done;
    progress_.sums = cursor.sums;
  }
  const StepProgress& Step(const BatchLosses& losses) {
    progress_.batch += 1;
    progress_.samples = std::min(rows_, progress_.batch * batch_size_);
    progress_.sums.factorization += losses.factorization;
    progress_.sums.regression += losses.regression;
    progress_.sums.joint += losses.joint;
    progress_.sums.batches += 1;
    return progress_;
  }

 private:
  int64_t rows_, batch_size_;
  StepProgress progress_;
};

// FitOptions::rating_epochs: the parameters after the earlier head's count,
// kept while the later head trains on and written back at the end (those the
// backend holds: Backend::held, with sharded tables this rank's rows).
class SplitHeadsPlan {
 public:
  explicit SplitHeadsPlan(const FitOptions& o)
      : ranking_epochs_(o.epochs),
        epochs_(std::max(o.epochs, o.rating_epochs)),
        first_(o.rating_epochs > 0 ? std::min(o.epochs, o.rating_epochs) : epochs_) {}
  int epochs() const { return epochs_; }  // the call trains the larger count
  void AfterEpoch(int done, const MultiTaskNet& held) {
    if (done != first_ || first_ >= epochs_) return;
    first_params_.assign(held.params().begin(), held.params().end());
  }
  // Writes the earlier head's parameters back; false when there is none.
  bool WriteBack(Backend& backend) const {
    if (first_params_.empty()) return false;
    const bool ranking_first = first_ == ranking_epochs_;
    backend.WriteHeld([&](MultiTaskNet& net) {
      CopyHead(net, /*ranking=*/ranking_first, first_params_, net.params());
    });
    return true;
  }

 private:
  int ranking_epochs_, epochs_, first_;
  std::vector<float> first_params_;
};

// Trains one epoch and evaluates it into `stats`; false when a stop request
// cancelled it.
Result<bool> TrainAndEvaluateEpoch(Trainer& trainer, const Backend& backend,
                                   const Interactions& train,
                                   const std::optional<Evaluator>& tester,
                                   const std::optional<Evaluator>& validator, EpochStats* stats) {
  auto start = std::chrono::steady_clock::now();
  Result<EpochLosses> losses = trainer.TrainEpoch(train);
  if (!losses.ok() && losses.status().code() == Status::Code::kCancelled) return false;
  MTREC_RETURN_IF_ERROR(losses.status());
  stats->losses = *losses;
  stats->train_seconds = SecondsSince(start);
  start = std::chrono::steady_clock::now();
  if (tester) stats->eval = tester->Evaluate(backend);
  if (validator) {
    stats->has_validation = true;
    stats->validation = validator->Evaluate(backend);
  }
  MTREC_RETURN_IF_ERROR(backend.status());
  stats->eval_seconds = SecondsSince(start);
  return true;
}

}  // namespace

// Fit's steps: check the arguments, prepare (known interactions, evaluators,
// the rating offset), train the epochs, finish (heads written back, the best
// epoch restored).
Result<FitResult> Model::FitModel(const Interactions& train, const FitOptions& options,
                                  EarlyStopping* external) {
  Impl& m = *impl_;
  const ModelConfig& shape = m.backend->net().config();
  MTREC_RETURN_IF_ERROR(CheckFitArguments(train, options, shape, external != nullptr));
  if (options.early_stopping.metric != Metric::kNone || options.rating_epochs > 0) {
    // The best epoch's weights, or those after the earlier head's epochs, are
    // a second copy of the parameters (with sharded tables, of this rank's rows).
    const int shards = m.backend->tables_sharded() && m.comm != nullptr ? m.comm->size() : 1;
    MTREC_RETURN_IF_ERROR(CheckTrainingFitsInMemory(
        shape, m.options.train, std::min<int64_t>(m.options.train.batch_size, train.size()),
        /*early_stopping=*/true, shards));
  }
  // The steps write the weights without a word: no prefilter of them while
  // the Fit runs (a Recommend from on_epoch scores every item), and none of
  // weights it passed through after it.
  struct Fitting {
    Impl& m;
    explicit Fitting(Impl& impl) : m(impl) { m.fitting = true; }
    ~Fitting() {
      m.fitting = false;
      m.DropWeightCopies();
    }
  } const fitting(m);
  PrepareFit(train, options);
  std::optional<Evaluator> tester, validator;
  // The test ranking puts the validation rows' items last too (infer/evaluator.h).
  if (options.test != nullptr) tester.emplace({&train, options.validation}, *options.test, m.comm);
  if (options.validation != nullptr) validator.emplace(train, *options.validation, m.comm);
  EarlyStopping own(options.early_stopping);
  EarlyStopping& early = external != nullptr ? *external : own;
  SplitHeadsPlan heads(options);

  Trainer& trainer = *m.trainer;
  const HookReset reset(trainer);
  StepCounter counter(static_cast<int64_t>(train.size()), m.options.train.batch_size,
                      static_cast<int>(m.history.size()) + heads.epochs());
  trainer.SetStepHook([&](const StepView& v) {
    const StepProgress& progress = counter.Step(v.losses);
    if (options.on_step) options.on_step(progress);
  });
  const auto stop_requested = [&] {
    const bool stop = (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) ||
                      (options.max_steps > 0 && trainer.steps() >= options.max_steps);
    // Several ranks stop together, after the same step, whichever was asked.
    return m.comm != nullptr && m.comm->size() > 1 ? m.comm->AnyTrue(stop) : stop;
  };
  trainer.SetStopCondition(stop_requested);

  FitResult result;
  for (int k = 0; k < heads.epochs(); ++k) {
    if (stop_requested()) {
      result.interrupted = true;
      break;
    }
    EpochStats stats;
    stats.epoch = static_cast<int>(m.history.size()) + 1;
    counter.StartEpoch(stats.epoch, trainer.cursor());
    Result<bool> trained =
        TrainAndEvaluateEpoch(trainer, *m.backend, train, tester, validator, &stats);
    MTREC_RETURN_IF_ERROR(trained.status());
    if (!*trained) {
      result.interrupted = true;
      break;
    }
    m.history.push_back(stats);
    heads.AfterEpoch(++result.epochs, m.backend->held());
    early.Update(stats, m.backend->held());
    if (options.on_epoch && !options.on_epoch(stats)) {
      result.stopped_by_callback = true;
      break;
    }
    if (early.ShouldStop()) {
      result.stopped_early = true;
      break;
    }
  }
  if (!result.interrupted && result.epochs == heads.epochs()) {
    heads.WriteBack(*m.backend);
    if (options.rating_epochs > 0) {
      const int before = static_cast<int>(m.history.size()) - heads.epochs();
      m.split_heads = Impl::SplitHeads{before + options.epochs, before + options.rating_epochs};
    }
  }
  if (!result.interrupted && early.RestoreBest(*m.backend)) {
    result.best_epoch = early.best_epoch();
    result.best_rating_epoch = early.best_rating_epoch();
    m.restored_best =
        Impl::RestoredBest{options.early_stopping, early.ranking_state(), early.rating_state()};
  }
  return result;
}

void Model::PrepareFit(const Interactions& train, const FitOptions& options) {
  Impl& m = *impl_;
  // The known interactions (model.h): every row this Fit is given.
  m.candidates.emplace(
      std::initializer_list<const Interactions*>{&train, options.validation, options.test});
  m.loaded_weights.reset();  // training moves the weights on from the checkpoint's,
  m.restored_best.reset();   // from any earlier best,
  m.split_heads.reset();     // and from an earlier refit's heads
  m.DropWeightCopies();      // an index of the old weights would answer for them
  SetImplicitItems(*m.backend, {&train});
  if (m.backend->net().config().rating_biases && m.history.empty() && m.trainer->steps() == 0) {
    // mtrec's rating head starts at the global mean: the MLP and the biases
    // then learn deviations from it.
    double sum = 0;
    for (float r : train.ratings) sum += r;
    const auto mean = static_cast<float>(sum / static_cast<double>(train.size()));
    m.backend->WriteHeld([&](MultiTaskNet& net) { net.SetRatingOffset(mean); });
  }
}

const std::vector<EpochStats>& Model::history() const { return impl_->history; }

Result<ModelEvaluation> Model::Evaluate(const Interactions& test,
                                        std::initializer_list<const Interactions*> known,
                                        int k) const {
  const ModelConfig& shape = impl_->backend->net().config();
  MTREC_RETURN_IF_ERROR(impl_->CheckHoldsModel("evaluate"));
  if (k < 1) return Status::InvalidArgument("k: expected >= 1, got " + std::to_string(k));
  MTREC_RETURN_IF_ERROR(CheckRows(test, shape, "test"));
  bool any = false;
  for (const Interactions* part : known) {
    if (part == nullptr || part->size() == 0) continue;  // no rows, no items to exclude
    MTREC_RETURN_IF_ERROR(CheckRows(*part, shape, "train"));
    any = true;
  }
  if (!any) {
    return Status::InvalidArgument("train: no interactions given whose items the ranks exclude");
  }
  const std::lock_guard<std::mutex> lock(impl_->backend_mutex);
  ModelEvaluation evaluation = EvaluateModel(*impl_->backend, known, test, k);
  MTREC_RETURN_IF_ERROR(impl_->backend->status());
  return evaluation;
}

Result<float> Model::Score(UserId user, ItemId item) const {
  const MultiTaskNet& net = impl_->backend->net();
  MTREC_RETURN_IF_ERROR(impl_->CheckHoldsModel("score"));
  MTREC_RETURN_IF_ERROR(CheckUser(user, net.config()));
  MTREC_RETURN_IF_ERROR(CheckItem(item, net.config()));
  return net.Score(user, item);
}

Result<Recommendation> Model::Predict(UserId user, ItemId item) const {
  const ModelConfig& shape = impl_->backend->net().config();
  MTREC_RETURN_IF_ERROR(impl_->CheckHoldsModel("predict"));
  MTREC_RETURN_IF_ERROR(CheckUser(user, shape));
  MTREC_RETURN_IF_ERROR(CheckItem(item, shape));
  if (impl_->host_scoring) {
    const ScratchPool<RecommendScratch>::Lease scratch = impl_->scratch.Acquire();
    return PredictPair(impl_->backend->net(), user, item, *scratch);
  }
  const std::lock_guard<std::mutex> lock(impl_->backend_mutex);
  return PredictPair(*impl_->backend, user, item);
}

Result<std::vector<Recommendation>> Model::Recommend(UserId user, int k, bool include_seen,
                                                     int64_t* candidates) const {
  const Impl& m = *impl_;
  MTREC_RETURN_IF_ERROR(m.CheckHoldsModel("recommend"));
  MTREC_RETURN_IF_ERROR(CheckUser(user, m.backend->net().config()));
  if (k < 1) return Status::InvalidArgument("k: expected >= 1, got " + std::to_string(k));
  MTREC_ASSIGN_OR_RETURN(const RecommendationCandidates* known, KnownCandidates());
  if (candidates != nullptr) *candidates = known->Count(user, include_seen);
  // A built index answers first (BuildIndex); else the exact pass, at once on
  // the calling thread where the backend allows it (host_scoring).
  if (m.host_scoring && !m.index) {
    const std::shared_ptr<const ItemPrefilter> prefilter = m.Prefilter();
    const ScratchPool<RecommendScratch>::Lease scratch = m.scratch.Acquire();
    return ::mtrec::Recommend(m.backend->net(), user, *known, include_seen, k, *scratch,
                              prefilter.get());
  }
  const std::lock_guard<std::mutex> lock(m.backend_mutex);
  if (m.index) return RecommendFromIndex(*m.backend, *m.index, user, *known, include_seen, k);
  return ::mtrec::Recommend(*m.backend, user, known->For(user, include_seen), k);
}

Status Model::BuildIndex(const IndexOptions& options) {
  MTREC_RETURN_IF_ERROR(impl_->CheckHoldsModel("index"));
  try {
    MTREC_ASSIGN_OR_RETURN(std::unique_ptr<ItemIndex> index,
                           ItemIndex::Build(impl_->backend->net(), options));
    impl_->index = std::move(index);
  } catch (const std::bad_alloc&) {
    return Status::Unavailable("index: the item table's index does not fit in memory");
  }
  return Status::Ok();
}

void Model::DropIndex() { impl_->index.reset(); }

std::optional<IndexInfo> Model::index_info() const {
  if (!impl_->index) return std::nullopt;
  return impl_->index->info();
}

Result<std::vector<Recommendation>> Model::RecommendForRatings(std::span<const RatedItem> ratings,
                                                               int k, const FoldInConfig& config,
                                                               FoldInStats* stats) const {
  const Impl& m = *impl_;
  const ModelConfig& shape = m.backend->net().config();
  MTREC_RETURN_IF_ERROR(m.CheckHoldsModel("recommend"));
  if (k < 1) return Status::InvalidArgument("k: expected >= 1, got " + std::to_string(k));
  if (config.steps < 1) return Status::InvalidArgument("steps: expected >= 1 fold-in steps");
  if (!(config.learning_rate > 0) || !std::isfinite(config.learning_rate)) {
    return Status::InvalidArgument("learning_rate: the fold-in's must be a finite number > 0");
  }
  if (!(config.l2 >= 0) || !std::isfinite(config.l2)) {
    return Status::InvalidArgument("l2: the fold-in's must be a finite number >= 0");
  }
  MTREC_ASSIGN_OR_RETURN(const RecommendationCandidates* known, KnownCandidates());
  for (const RatedItem& r : ratings) {
    MTREC_RETURN_IF_ERROR(CheckItem(r.item, shape));
    // The ratings the model learned from bound what a new user's may be.
    if (!(r.rating >= known->min_rating() && r.rating <= known->max_rating())) {
      char text[128];
      std::snprintf(text, sizeof(text), "ratings: rating %g of item %s is outside the data set's ratings [%g, %g]",
                    static_cast<double>(r.rating), m.items.Name(r.item).c_str(),
                    static_cast<double>(known->min_rating()),
                    static_cast<double>(known->max_rating()));
      return Status::InvalidArgument(text);
    }
  }
  std::vector<uint8_t> candidate = known->For(-1, /*include_seen=*/true);
  for (const RatedItem& r : ratings) candidate[r.item] = 0;
  // FoldInUser and the scoring run on the backend's pool.
  const std::lock_guard<std::mutex> lock(m.backend_mutex);
  MTREC_ASSIGN_OR_RETURN(FoldInResult folded, FoldInUser(m.backend->net(), ratings, m.options.train,
                                                         config, m.backend->host_pool()));
  if (stats != nullptr) {
    *stats = {folded.first_loss, folded.last_loss,
              std::count(candidate.begin(), candidate.end(), 1)};
  }
  return ::mtrec::Recommend(*folded.net, folded.user, candidate, k, m.backend->host_pool());
}

Result<std::vector<SimilarItem>> Model::SimilarItems(ItemId item, int k) const {
  const MultiTaskNet& net = impl_->backend->net();
  MTREC_RETURN_IF_ERROR(impl_->CheckHoldsModel("similar items"));
  MTREC_RETURN_IF_ERROR(CheckItem(item, net.config()));
  if (k < 1) return Status::InvalidArgument("k: expected >= 1, got " + std::to_string(k));
  MTREC_ASSIGN_OR_RETURN(const RecommendationCandidates* known, KnownCandidates());
  // Every item of the known interactions: no user's items are excluded.
  return ::mtrec::SimilarItems(net, item, known->occurs(), k);
}

Result<std::vector<ItemId>> Model::KnownItems(UserId user) const {
  MTREC_RETURN_IF_ERROR(CheckUser(user, impl_->backend->net().config()));
  MTREC_ASSIGN_OR_RETURN(const RecommendationCandidates* known, KnownCandidates());
  const std::span<const ItemId> items = known->Excluded(user, /*include_seen=*/false);
  return std::vector<ItemId>(items.begin(), items.end());
}

Result<RatingRange> Model::KnownRatings() const {
  MTREC_ASSIGN_OR_RETURN(const RecommendationCandidates* known, KnownCandidates());
  return RatingRange{known->min_rating(), known->max_rating()};
}

Status Model::SetKnownInteractions(const Interactions& data) {
  // Other table sizes or rows outside them would index past the candidates.
  MTREC_RETURN_IF_ERROR(CheckRows(data, impl_->backend->net().config(), "data"));
  const std::lock_guard<std::mutex> lock(impl_->data_mutex);
  impl_->candidates.emplace(data);
  return Status::Ok();
}

namespace {

// Whether a recorded data location can be read again (in-memory data cannot).
bool IsDataLocation(const DataConfig& data) {
  return !data.train_path.empty() || (!data.dataset.empty() && data.dataset != kInMemoryDataPath);
}

}  // namespace

Result<const RecommendationCandidates*> Model::KnownCandidates() const {
  const Impl& m = *impl_;
  {
    const std::lock_guard<std::mutex> lock(m.data_mutex);
    if (m.candidates) return &*m.candidates;
  }
  if (!IsDataLocation(m.experiment.data)) {
    return Status::InvalidArgument(
        "the model knows no interactions to recommend from: it was made from in-memory data, "
        "which its checkpoint does not record; call SetKnownInteractions (Python: fit or "
        "set_known_interactions)");
  }
  Result<const TrainingData*> data = training_data();
  if (!data.ok()) {
    return Status::NotFound("the model knows no interactions to recommend from: " +
                            data.status().message());
  }
  const std::lock_guard<std::mutex> lock(m.data_mutex);
  if (!m.candidates) m.candidates.emplace((*data)->dataset.interactions);
  return &*m.candidates;
}

Result<const TrainingData*> Model::training_data() const {
  const Impl& m = *impl_;
  const std::lock_guard<std::mutex> lock(m.data_mutex);
  if (m.training_data) return m.training_data.get();
  if (!IsDataLocation(m.experiment.data)) {
    return Status::NotFound("the model records no data set (it was made from in-memory data)");
  }
  ExperimentConfig config = m.experiment;
  // The data set as given at training time (a name, or an absolute path); the
  // recorded data settings (format, ids, duplicates, split) are kept either way.
  if (!m.dataset_override.empty() && !config.data.train_path.empty()) {
    return Status::InvalidArgument(
        "dataset: the model was trained on a predefined split (" + config.data.train_path +
        ", " + config.data.test_path +
        "), read again from where it was; a --dataset cannot stand in for its files");
  }
  if (!m.dataset_override.empty()) config.data.dataset = m.dataset_override;
  if (!m.data_dir_override.empty()) config.data.data_dir = m.data_dir_override;
  Result<ExperimentData> prepared = PrepareExperimentData(config);
  if (!prepared.ok() && m.dataset_override.empty() && m.data_dir_override.empty()) {
    // The location came from the checkpoint, not from one the caller gave.
    std::string message = prepared.status().message();
    if (message.starts_with("--dataset ")) message.erase(0, 10);
    return Status::NotFound("the data set recorded in the checkpoint: " + message +
                            (config.data.train_path.empty()
                                 ? " (pass --dataset PATH if it moved)"
                                 : " (a predefined split is read from its recorded files)"));
  }
  if (!prepared.ok()) return prepared.status();
  ExperimentData& data = *prepared;
  const ModelConfig& shape = m.backend->net().config();
  if (data.fingerprint != m.fingerprint || data.dataset.interactions.num_users != shape.num_users ||
      data.dataset.interactions.num_items != shape.num_items) {
    return Status::NotFound(data.dataset.path + " is not the data set the model was trained on (" +
                            m.data_path + ", " + std::to_string(m.interactions) +
                            " ratings); " +
                            (config.data.train_path.empty()
                                 ? "point --dataset at that file"
                                 : "its split files have changed since"));
  }
  m.training_data = std::make_unique<TrainingData>(TrainingData{
      std::move(data.dataset), std::move(data.train), std::move(data.validation),
      std::move(data.test)});
  return m.training_data.get();
}

WeightsState Model::weights_state() const {
  const Impl& m = *impl_;
  if (m.loaded_weights) return *m.loaded_weights;
  WeightsState w;
  w.epochs_trained = static_cast<int>(m.history.size());
  w.epoch = w.epochs_trained;
  w.extra_batches = m.trainer->cursor().batches_done;
  if (m.split_heads) {  // recorded as `mtrec train --refit` records its model
    w.refitted = w.best_restored = w.per_head = true;
    w.extra_batches = 0;
    w.epoch = m.split_heads->ranking_epoch;
    w.rating_epoch = m.split_heads->rating_epoch;
  } else if (m.restored_best && m.restored_best->ranking.epoch > 0) {
    w.best_restored = true;
    w.extra_batches = 0;
    w.epoch = m.restored_best->ranking.epoch;
    w.per_head = m.restored_best->config.per_head;
    w.rating_epoch = m.restored_best->rating.epoch;
  }
  return w;
}

Result<UserId> Model::FindUser(std::string_view raw) const {
  MTREC_ASSIGN_OR_RETURN(const UserId row, FindRow(impl_->users, raw, "user"));
  MTREC_RETURN_IF_ERROR(CheckRowOccurs(/*user=*/true, row, raw));
  return row;
}

Result<ItemId> Model::FindItem(std::string_view raw) const {
  MTREC_ASSIGN_OR_RETURN(const ItemId row, FindRow(impl_->items, raw, "item"));
  MTREC_RETURN_IF_ERROR(CheckRowOccurs(/*user=*/false, row, raw));
  return row;
}

Status Model::CheckRowOccurs(bool user, int32_t row, std::string_view raw) const {
  // With raw ids every number below the table size is a row, but only those
  // in the data were trained (MovieLens has no user 0): a row no known
  // interaction has is no id. Without known interactions at hand (a model
  // from in-memory data, or its data set moved), the row is taken as it is.
  if (!(user ? impl_->users : impl_->items).is_identity()) return Status::Ok();
  Result<const RecommendationCandidates*> candidates = KnownCandidates();
  if (!candidates.ok()) return Status::Ok();  // no known interactions at hand
  if (user ? (*candidates)->HasUser(row) : (*candidates)->HasItem(row)) return Status::Ok();
  return Status::NotFound(std::string(user ? "user" : "item") + " '" + std::string(raw) +
                          "' is not in the model's data (row " + std::to_string(row) +
                          " of its raw-id table has no interaction)");
}

const IdMap& Model::users() const { return impl_->users; }
const IdMap& Model::items() const { return impl_->items; }
int32_t Model::num_users() const { return impl_->backend->net().config().num_users; }
int32_t Model::num_items() const { return impl_->backend->net().config().num_items; }
const ModelOptions& Model::options() const { return impl_->options; }

std::vector<NamedTensor> Model::Parameters() const {
  MTREC_CHECK(impl_->backend->holds_whole_model());  // no API caller has a sharded model
  const MultiTaskNet& net = impl_->backend->net();
  std::vector<NamedTensor> out;
  for (const ParamBlock& b : net.layout().blocks()) {
    const auto values = std::span<const float>(net.params()).subspan(b.offset, b.size());
    out.push_back({b.name, b.rows, b.cols, std::vector<float>(values.begin(), values.end())});
  }
  return out;
}

Status Model::SetParameters(const std::vector<NamedTensor>& tensors) {
  const MultiTaskNet& net = impl_->backend->net();
  const std::vector<ParamBlock>& blocks = net.layout().blocks();
  if (tensors.size() != blocks.size()) {
    return Status::InvalidArgument("parameters: expected " + std::to_string(blocks.size()) +
                                   " tensors, got " + std::to_string(tensors.size()));
  }
  for (size_t k = 0; k < blocks.size(); ++k) {
    const ParamBlock& b = blocks[k];
    const NamedTensor& t = tensors[k];
    if (t.name != b.name || t.rows != b.rows || t.cols != b.cols ||
        std::ssize(t.values) != b.size()) {
      return Status::InvalidArgument("parameters: tensor " + std::to_string(k) + " is '" + t.name +
                                     "' " + std::to_string(t.rows) + "x" + std::to_string(t.cols) +
                                     ", expected '" + b.name + "' " + std::to_string(b.rows) + "x" +
                                     std::to_string(b.cols));
    }
  }
  impl_->DropWeightCopies();  // of the old weights
  impl_->backend->WriteParams([&](MultiTaskNet& to) {
    for (size_t k = 0; k < blocks.size(); ++k) {
      std::copy(tensors[k].values.begin(), tensors[k].values.end(),
                to.params().begin() + blocks[k].offset);
    }
  });
  return Status::Ok();
}

Status Model::Save(const std::filesystem::path& path, bool overwrite) const {
  // A running `mtrec train --save PATH` holds PATH.lock: its file, not ours.
  if (ReservedByAnotherWriter(path)) {
    return Status::InvalidArgument(path.string() +
                                   " is reserved by a running mtrec (its lock " +
                                   LockPathOf(path).string() + " is held); choose another path");
  }
  TrainingCheckpoint checkpoint;
  ModelHooks::Capture(*this, &checkpoint);
  checkpoint.state = impl_->split_heads            ? CheckpointState::kRefitted
                     : checkpoint.batches_done > 0 ? CheckpointState::kInterrupted
                                                   : CheckpointState::kCompleted;
  return SaveCheckpoint(path, checkpoint, {.replace = overwrite});
}

void ModelHooks::Capture(const Model& model, TrainingCheckpoint* c) {
  const Model::Impl& m = *model.impl_;
  c->config = m.experiment;
  c->config.model = m.backend->net().config();
  c->config.epochs = std::max<int>(c->config.epochs, static_cast<int>(m.history.size()));
  c->data_path = m.data_path;
  c->interactions = m.interactions;
  c->fingerprint = m.fingerprint;
  CheckpointIdLists(m.users, m.items, c);
  CaptureTrainingState(*m.backend, *m.trainer, c);
  c->history = m.history;
  c->epochs_done = static_cast<int>(m.history.size());
  if (m.restored_best) {  // as `mtrec train --early_stopping` records its restore
    c->config.early_stopping = m.restored_best->config;
    c->early_stopping_best = m.restored_best->ranking;
    c->rating_best = m.restored_best->rating;
  }
  if (m.split_heads) {  // as `mtrec train --refit` records its model (state "refitted")
    c->config.early_stopping.metric = Metric::kMrr;
    c->config.early_stopping.per_head = true;
    c->early_stopping_best = {m.split_heads->ranking_epoch, 0, 0};
    c->rating_best = {m.split_heads->rating_epoch, 0, 0};
  }
}

Result<Model> ModelHooks::FromCheckpoint(const TrainingCheckpoint& c, const std::string& source,
                                         const ModelOptions& options, Communicator* comm) {
  MTREC_ASSIGN_OR_RETURN(const IdMap users,
                         CheckpointIdMap(c.user_ids, c.config.model.num_users, source, "user"));
  MTREC_ASSIGN_OR_RETURN(const IdMap items,
                         CheckpointIdMap(c.item_ids, c.config.model.num_items, source, "item"));
  MTREC_ASSIGN_OR_RETURN(Model model, Make(options, users, items, comm));
  Model::Impl& m = *model.impl_;
  MTREC_RETURN_IF_ERROR(RestoreTrainingState(c, source, m.backend.get(), m.trainer.get()));
  m.history = c.history;
  m.experiment = c.config;
  m.experiment.threads = options.threads;
  m.data_path = c.data_path;
  m.interactions = c.interactions;
  m.fingerprint = c.fingerprint;
  return model;
}

void ModelHooks::RecordData(Model& model, const ExperimentConfig& recorded,
                            const std::string& data_path, int64_t interactions,
                            uint32_t fingerprint) {
  Model::Impl& m = *model.impl_;
  m.experiment = recorded;
  m.data_path = data_path;
  m.interactions = interactions;
  m.fingerprint = fingerprint;
}

Result<FitResult> ModelHooks::Fit(Model& model, const Interactions& train,
                                  const FitOptions& options, EarlyStopping& early) {
  return WithoutBadAlloc<FitResult>("Model::Fit",
                                    [&] { return model.FitModel(train, options, &early); });
}

Backend& ModelHooks::BackendOf(Model& model) {
  model.impl_->DropWeightCopies();  // the caller may write the weights
  return *model.impl_->backend;
}
const Backend& ModelHooks::BackendOf(const Model& model) { return *model.impl_->backend; }
int64_t ModelHooks::Steps(const Model& model) { return model.impl_->trainer->steps(); }
int ModelHooks::Ranks(const Model& model) {
  const Communicator* comm = model.impl_->comm;
  return comm != nullptr ? comm->size() : 1;
}

}  // namespace mtrec
