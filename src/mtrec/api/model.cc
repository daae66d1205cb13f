#include "mtrec/model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <new>
#include <optional>

#include "mtrec/api/model_internals.h"
#include "mtrec/backend/backend_registry.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/dist/communicator.h"
#include "mtrec/eval/evaluator.h"
#include "mtrec/infer/fold_in.h"
#include "mtrec/infer/model_evaluation.h"
#include "mtrec/train/early_stopping.h"
#include "mtrec/train/experiment_data.h"
#include "mtrec/train/memory_estimate.h"

namespace mtrec {

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

Result<Model> ModelInternals::Make(const ModelOptions& options, const IdMap& users,
                                   const IdMap& items, Communicator* comm) {
  MTREC_RETURN_IF_ERROR(options.model.Validate());
  MTREC_RETURN_IF_ERROR(options.train.Validate());
  if (options.threads < 0 || options.threads > ExperimentConfig::kMaxThreads) {
    return Status::InvalidArgument("threads: expected an integer in [0, " +
                                   std::to_string(ExperimentConfig::kMaxThreads) + "], got " +
                                   std::to_string(options.threads));
  }
  auto impl = std::make_unique<Model::Impl>();
  impl->options = options;
  impl->comm = comm;
  MTREC_ASSIGN_OR_RETURN(impl->backend, MakeBackend(options.backend, options.model,
                                                    BackendOptions{options.threads, comm}));
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
  return WithoutBadAlloc<Model>("Model::Load", [&] { return LoadModel(path, threads); });
}

Result<FitResult> Model::Fit(const Interactions& train, const FitOptions& options) {
  return WithoutBadAlloc<FitResult>("Model::Fit", [&] { return FitModel(train, options); });
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
  MTREC_ASSIGN_OR_RETURN(Model model, ModelInternals::Make(o, users, items));
  MTREC_RETURN_IF_ERROR(CheckRows(x, o.model, "data"));
  Impl& m = *model.impl_;
  m.backend->WriteParams([&](MultiTaskNet& net) { net.InitRandom(o.train.seed); });
  m.data_path = data.path;
  // Checkpoints name the data as it was given (an in-memory set is not found
  // again by name) and how its ids were numbered.
  m.experiment.data.dataset = data.path;
  m.experiment.data.ids =
      users.is_identity() && items.is_identity() ? IdPolicy::kRaw : IdPolicy::kRemap;
  m.interactions = static_cast<int64_t>(x.size());
  m.fingerprint = DataFingerprint(x);
  m.candidates.emplace(x);
  return model;
}

Result<Model> Model::LoadModel(const std::filesystem::path& path, int threads) {
  MTREC_ASSIGN_OR_RETURN(const TrainingCheckpoint checkpoint, LoadCheckpoint(path));
  ModelOptions options;
  options.model = checkpoint.config.model;
  options.train = checkpoint.config.train;
  // The batch buffers need not exceed the rows trained on (a larger batch is
  // one partial batch, as the run that wrote the checkpoint had it).
  if (checkpoint.interactions > 0 && checkpoint.interactions < options.train.batch_size) {
    options.train.batch_size = static_cast<int>(checkpoint.interactions);
  }
  options.threads = threads;
  return ModelInternals::FromCheckpoint(checkpoint, path.string(), options);
}

Result<FitResult> Model::FitModel(const Interactions& train, const FitOptions& options) {
  Impl& m = *impl_;
  const ModelConfig& shape = m.backend->net().config();
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
  if (options.early_stopping.refit) {
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
  if (options.early_stopping.metric != Metric::kNone || options.rating_epochs > 0) {
    // The best epoch's weights, or those after the earlier head's epochs, are
    // a second copy of the parameters.
    MTREC_RETURN_IF_ERROR(CheckTrainingFitsInMemory(
        shape, m.options.train, std::min<int64_t>(m.options.train.batch_size, train.size()),
        /*early_stopping=*/true));
  }
  // Recommend offers the items of the training data, as documented (Create's
  // were the whole data set's, test items included), validation rows included:
  // the user has those items too.
  m.candidates.emplace(std::initializer_list<const Interactions*>{&train, options.validation});
  std::optional<Evaluator> tester, validator;
  // The test ranking puts the validation rows' items last too (eval/evaluator.h).
  if (options.test != nullptr) tester.emplace({&train, options.validation}, *options.test, m.comm);
  if (options.validation != nullptr) validator.emplace(train, *options.validation, m.comm);

  Trainer& trainer = *m.trainer;
  if (shape.rating_biases && m.history.empty() && trainer.steps() == 0) {
    // mtrec's rating head starts at the global mean: the MLP and the biases
    // then learn deviations from it.
    double sum = 0;
    for (float r : train.ratings) sum += r;
    const auto mean = static_cast<float>(sum / static_cast<double>(train.size()));
    m.backend->WriteParams([&](MultiTaskNet& net) { net.SetRatingOffset(mean); });
  }
  const HookReset reset(trainer);
  const int64_t n = static_cast<int64_t>(train.size());
  const int64_t batch_size = m.options.train.batch_size;
  // rating_epochs: the call trains the larger count.
  const int epochs = std::max(options.epochs, options.rating_epochs);
  StepProgress progress;  // of the epoch in progress; reset from the cursor at its start
  progress.epochs = static_cast<int>(m.history.size()) + epochs;
  progress.batches = (n + batch_size - 1) / batch_size;
  progress.epoch_samples = n;
  trainer.SetStepHook([&](const StepView& v) {
    progress.batch += 1;
    progress.samples = std::min(n, progress.batch * batch_size);
    progress.sums.factorization += v.losses.factorization;
    progress.sums.regression += v.losses.regression;
    progress.sums.joint += v.losses.joint;
    progress.sums.batches += 1;
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
  EarlyStopping early(options.early_stopping);
  m.restored_best.reset();  // training moves the weights on from any earlier best
  m.split_heads.reset();
  // rating_epochs: the parameters after the earlier head's count, when the
  // counts differ; that head's part is written back at the end.
  const int first_head_epochs =
      options.rating_epochs > 0 ? std::min(options.epochs, options.rating_epochs) : epochs;
  std::vector<float> first_head_params;
  for (int k = 0; k < epochs; ++k) {
    if (stop_requested()) {
      result.interrupted = true;
      break;
    }
    EpochStats stats;
    stats.epoch = static_cast<int>(m.history.size()) + 1;
    auto start = std::chrono::steady_clock::now();
    const EpochCursor cursor = trainer.cursor();  // a resumed epoch starts part-way
    progress.epoch = stats.epoch;
    progress.batch = cursor.batches_done;
    progress.sums = cursor.sums;
    Result<EpochLosses> losses = trainer.TrainEpoch(train);
    if (!losses.ok() && losses.status().code() == Status::Code::kCancelled) {
      result.interrupted = true;
      break;
    }
    MTREC_RETURN_IF_ERROR(losses.status());
    stats.losses = *losses;
    stats.train_seconds = SecondsSince(start);
    start = std::chrono::steady_clock::now();
    if (tester) stats.eval = tester->Evaluate(*m.backend);
    if (validator) {
      stats.has_validation = true;
      stats.validation = validator->Evaluate(*m.backend);
    }
    stats.eval_seconds = SecondsSince(start);
    m.history.push_back(stats);
    ++result.epochs;
    if (result.epochs == first_head_epochs && first_head_epochs < epochs) {
      const std::span<const float> params = m.backend->net().params();
      first_head_params.assign(params.begin(), params.end());
    }
    early.Update(stats, m.backend->net());
    if (options.on_epoch && !options.on_epoch(stats)) {
      result.stopped_by_callback = true;
      break;
    }
    if (early.ShouldStop()) {
      result.stopped_early = true;
      break;
    }
  }
  if (!result.interrupted && result.epochs == epochs && !first_head_params.empty()) {
    const bool ranking_first = first_head_epochs == options.epochs;
    m.backend->WriteParams([&](MultiTaskNet& net) {
      CopyHead(net, /*ranking=*/ranking_first, first_head_params, net.params());
    });
  }
  if (!result.interrupted && result.epochs == epochs && options.rating_epochs > 0) {
    const int before = static_cast<int>(m.history.size()) - epochs;
    m.split_heads = Impl::SplitHeads{before + options.epochs, before + options.rating_epochs};
  }
  if (!result.interrupted && early.RestoreBest(*m.backend)) {
    result.best_epoch = early.best_epoch();
    result.best_rating_epoch = early.best_rating_epoch();
    m.restored_best =
        Impl::RestoredBest{options.early_stopping, early.ranking_state(), early.rating_state()};
  }
  return result;
}

const std::vector<EpochStats>& Model::history() const { return impl_->history; }

Result<ModelEvaluation> Model::Evaluate(const Interactions& test,
                                        std::initializer_list<const Interactions*> known,
                                        int k) const {
  const ModelConfig& shape = impl_->backend->net().config();
  if (k < 1) return Status::InvalidArgument("k: expected >= 1, got " + std::to_string(k));
  MTREC_RETURN_IF_ERROR(CheckRows(test, shape, "test"));
  bool any = false;
  for (const Interactions* part : known) {
    if (part == nullptr) continue;
    MTREC_RETURN_IF_ERROR(CheckRows(*part, shape, "train"));
    any = true;
  }
  if (!any) {
    return Status::InvalidArgument("train: no interactions given whose items the ranks exclude");
  }
  const std::lock_guard<std::mutex> lock(impl_->backend_mutex);
  return EvaluateModel(*impl_->backend, known, test, k);
}

Result<float> Model::Score(UserId user, ItemId item) const {
  const MultiTaskNet& net = impl_->backend->net();
  MTREC_RETURN_IF_ERROR(CheckUser(user, net.config()));
  MTREC_RETURN_IF_ERROR(CheckItem(item, net.config()));
  return net.Score(user, item);
}

Result<Recommendation> Model::Predict(UserId user, ItemId item) const {
  const ModelConfig& shape = impl_->backend->net().config();
  MTREC_RETURN_IF_ERROR(CheckUser(user, shape));
  MTREC_RETURN_IF_ERROR(CheckItem(item, shape));
  const std::lock_guard<std::mutex> lock(impl_->backend_mutex);
  return PredictPair(*impl_->backend, user, item);
}

Result<std::vector<Recommendation>> Model::Recommend(UserId user, int k, bool include_seen) const {
  const Impl& m = *impl_;
  MTREC_RETURN_IF_ERROR(CheckUser(user, m.backend->net().config()));
  if (k < 1) return Status::InvalidArgument("k: expected >= 1, got " + std::to_string(k));
  if (!m.candidates) {
    return Status::InvalidArgument(
        "Recommend: the model knows no interactions to recommend from; call "
        "SetKnownInteractions (or Fit) first");
  }
  const std::vector<uint8_t> candidate = m.candidates->For(user, include_seen);
  const std::lock_guard<std::mutex> lock(m.backend_mutex);
  return ::mtrec::Recommend(*m.backend, user, candidate, k);
}

Result<std::vector<Recommendation>> Model::RecommendForRatings(std::span<const RatedItem> ratings,
                                                               int k,
                                                               const FoldInConfig& config) const {
  const Impl& m = *impl_;
  const ModelConfig& shape = m.backend->net().config();
  if (k < 1) return Status::InvalidArgument("k: expected >= 1, got " + std::to_string(k));
  if (config.steps < 1) return Status::InvalidArgument("steps: expected >= 1 fold-in steps");
  if (!(config.learning_rate > 0) || !std::isfinite(config.learning_rate)) {
    return Status::InvalidArgument("learning_rate: the fold-in's must be a finite number > 0");
  }
  if (!(config.l2 >= 0) || !std::isfinite(config.l2)) {
    return Status::InvalidArgument("l2: the fold-in's must be a finite number >= 0");
  }
  for (const RatedItem& r : ratings) {
    MTREC_RETURN_IF_ERROR(CheckItem(r.item, shape));
    if (!std::isfinite(r.rating)) {
      return Status::InvalidArgument("ratings: the rating of item " + std::to_string(r.item) +
                                     " is not a finite number");
    }
  }
  std::unique_lock<std::mutex> lock(m.backend_mutex);  // FoldInUser runs on the backend's pool
  MTREC_ASSIGN_OR_RETURN(FoldInResult folded, FoldInUser(m.backend->net(), ratings, m.options.train,
                                                         config, m.backend->host_pool()));
  lock.unlock();
  MTREC_ASSIGN_OR_RETURN(
      std::unique_ptr<Backend> backend,
      MakeBackendFrom(m.backend->name(), *folded.net, BackendOptions{m.options.threads}));
  std::vector<uint8_t> candidate =
      m.candidates ? m.candidates->For(-1, /*include_seen=*/true)
                   : std::vector<uint8_t>(static_cast<size_t>(shape.num_items), 1);
  for (const RatedItem& r : ratings) candidate[r.item] = 0;
  return ::mtrec::Recommend(*backend, folded.user, candidate, k);
}

Status Model::SetKnownInteractions(const Interactions& data) {
  // Other table sizes or rows outside them would index past the candidates.
  MTREC_RETURN_IF_ERROR(CheckRows(data, impl_->backend->net().config(), "data"));
  impl_->candidates.emplace(data);
  return Status::Ok();
}

const IdMap& Model::users() const { return impl_->users; }
const IdMap& Model::items() const { return impl_->items; }
int32_t Model::num_users() const { return impl_->backend->net().config().num_users; }
int32_t Model::num_items() const { return impl_->backend->net().config().num_items; }
const ModelOptions& Model::options() const { return impl_->options; }

std::vector<NamedTensor> Model::Parameters() const {
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
  impl_->backend->WriteParams([&](MultiTaskNet& to) {
    for (size_t k = 0; k < blocks.size(); ++k) {
      std::copy(tensors[k].values.begin(), tensors[k].values.end(),
                to.params().begin() + blocks[k].offset);
    }
  });
  return Status::Ok();
}

Status Model::Save(const std::filesystem::path& path, bool overwrite) const {
  TrainingCheckpoint checkpoint;
  ModelInternals::Capture(*this, &checkpoint);
  checkpoint.state = impl_->split_heads            ? "refitted"
                     : checkpoint.batches_done > 0 ? "interrupted"
                                                   : "completed";
  return SaveCheckpoint(path, checkpoint, {.replace = overwrite});
}

void ModelInternals::Capture(const Model& model, TrainingCheckpoint* c) {
  const Model::Impl& m = Of(model);
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

Result<Model> ModelInternals::FromCheckpoint(const TrainingCheckpoint& c, const std::string& source,
                                             const ModelOptions& options, Communicator* comm) {
  MTREC_ASSIGN_OR_RETURN(const IdMap users,
                         CheckpointIdMap(c.user_ids, c.config.model.num_users, source, "user"));
  MTREC_ASSIGN_OR_RETURN(const IdMap items,
                         CheckpointIdMap(c.item_ids, c.config.model.num_items, source, "item"));
  MTREC_ASSIGN_OR_RETURN(Model model, Make(options, users, items, comm));
  Model::Impl& m = Of(model);
  MTREC_RETURN_IF_ERROR(RestoreTrainingState(c, source, m.backend.get(), m.trainer.get()));
  m.history = c.history;
  m.experiment = c.config;
  m.experiment.threads = options.threads;
  m.data_path = c.data_path;
  m.interactions = c.interactions;
  m.fingerprint = c.fingerprint;
  return model;
}

}  // namespace mtrec
