#include "model.h"

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <thread>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "arrays.h"
#include "data.h"
#include "errors.h"
#include "interrupt.h"
#include "mtrec/config_names.h"
#include "mtrec/config_schema.h"
#include "mtrec/model.h"

namespace py = pybind11;

namespace mtrec::python {

namespace {

// Whether two id maps number the same ids the same way.
bool SameIds(const IdMap& a, const IdMap& b) {
  if (a.size() != b.size() || a.is_identity() != b.is_identity()) return false;
  if (a.is_identity()) return true;
  for (int32_t k = 0; k < a.size(); ++k) {
    if (a.Name(k) != b.Name(k)) return false;
  }
  return true;
}

// One epoch as a dict with the keys of metrics.jsonl (test metrics only when
// there was a test set).
py::dict EpochDict(const EpochStats& s, bool has_test) {
  py::dict d;
  d["epoch"] = s.epoch;
  d["factorization_loss"] = s.losses.factorization;
  d["regression_loss"] = s.losses.regression;
  d["joint_loss"] = s.losses.joint;
  if (has_test) {
    d["mrr"] = s.eval.mrr;
    d["mse"] = s.eval.mse;
    d["mrr_users"] = s.eval.mrr_users;
  }
  if (s.has_validation) {
    d["val_mrr"] = s.validation.mrr;
    d["val_mse"] = s.validation.mse;
  }
  d["train_seconds"] = s.train_seconds;
  d["eval_seconds"] = s.eval_seconds;
  return d;
}

// A schema field's value in `x` as Python has it (a list as a tuple, an enum
// as its name).
py::object FieldObject(const ConfigField& field, const ExperimentConfig& x) {
  return VisitValue(field, x, [](const auto& v) -> py::object {
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::vector<int>>) {
      return py::tuple(py::cast(v));
    } else {
      return py::cast(v);
    }
  });
}

// The Python type of a field: "int", "float", "bool", "str", "ints" or "floats".
const char* FieldType(const ConfigField& field) {
  return std::visit(
      [](const auto& access) {
        using A = std::decay_t<decltype(access)>;
        if constexpr (std::is_same_v<A, FieldRef<double>>) return "float";
        if constexpr (std::is_same_v<A, FieldRef<bool>>) return "bool";
        if constexpr (std::is_same_v<A, FieldRef<std::vector<int>>>) return "ints";
        if constexpr (std::is_same_v<A, FieldRef<std::vector<double>>>) return "floats";
        if constexpr (std::is_same_v<A, ChoiceRef> || std::is_same_v<A, FieldRef<std::string>>) {
          return "str";
        }
        return "int";
      },
      field.access);
}

// A Python int (the Python layer checked the type) as a T, the field's type
// or its elements'; ValueError naming the field if it does not fit T, with
// the field's range as far as T holds it. Nothing is cast before this check.
template <class T>
T IntegerOf(const ConfigField& field, const py::handle& value) {
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (v == -1 && PyErr_Occurred() != nullptr) throw py::error_already_set();
  using Limits = std::numeric_limits<T>;
  if (overflow == 0 && v >= static_cast<long long>(Limits::min()) &&
      v <= static_cast<long long>(Limits::max())) {
    return static_cast<T>(v);
  }
  const ValueRange& r = field.range;
  const auto lo = static_cast<long long>(
      std::max(r.lo + (r.lo_open ? 1 : 0), static_cast<double>(Limits::min())));
  const auto hi = static_cast<long long>(
      std::min(r.hi - (r.hi_open ? 1 : 0), static_cast<double>(Limits::max())));
  throw py::value_error(std::string(field.python) + ": expected " +
                        (std::holds_alternative<FieldRef<std::vector<int>>>(field.access)
                             ? "every value to be "
                             : "") +
                        "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                        "], got " + std::string(py::str(value)));
}

// Sets a schema field of `x` from a Python value; ValueError names a bad one.
void SetField(const ConfigField& field, const py::handle& value, ExperimentConfig* x) {
  std::visit(
      [&](const auto& access) {
        using A = std::decay_t<decltype(access)>;
        if constexpr (std::is_same_v<A, ChoiceRef>) {
          ThrowIfError(access.set(*x, value.cast<std::string>()));
        } else if constexpr (std::is_same_v<A, FixedValue>) {
        } else if constexpr (std::is_same_v<A, FieldRef<uint32_t>>) {
          access.of(*x) = IntegerOf<uint32_t>(field, value);
        } else if constexpr (std::is_same_v<A, FieldRef<int>>) {
          access.of(*x) = IntegerOf<int>(field, value);
        } else if constexpr (std::is_same_v<A, FieldRef<std::vector<int>>>) {
          std::vector<int> values;
          for (py::handle v : value) values.push_back(IntegerOf<int>(field, v));
          access.of(*x) = std::move(values);
        } else {
          using T = std::remove_reference_t<decltype(access.of(*x))>;
          access.of(*x) = value.cast<T>();
        }
      },
      field.access);
}

bool IsPython(const ConfigField& f) { return f.python != nullptr; }

// The options of MultitaskModel's arguments (every one given: the Python
// layer passes its defaults); ValueError names a bad one. A derived field's
// None is the library's value for it (learning_rate: the optimizer's).
ModelOptions OptionsFrom(const py::kwargs& c) {
  ExperimentConfig x;
  bool derived_rate = false;
  for (const ConfigField& f : ConfigFields()) {
    if (!IsPython(f)) continue;
    const py::object value = c[f.python];
    if (f.python_derived && value.is_none()) {
      derived_rate = true;
      continue;
    }
    SetField(f, value, &x);
  }
  ModelOptions o;
  o.model = x.model;
  o.train = x.train;
  o.threads = x.threads;
  o.shard_tables = x.shard_tables;
  if (derived_rate) o.train.optimizer.learning_rate = DefaultLearningRate(o.train.optimizer.kind);
  o.backend = c["device"].cast<std::string>();
  return o;
}

ExperimentConfig AsExperiment(const ModelOptions& o) {
  ExperimentConfig x;
  x.model = o.model;
  x.train = o.train;
  x.threads = o.threads;
  x.shard_tables = o.shard_tables;
  return x;
}

// Checks a configuration before there is data (tables of one row stand in).
void CheckConfig(const py::kwargs& config) {
  ModelOptions o = OptionsFrom(config);
  o.model.num_users = o.model.num_items = 1;
  ThrowIfError(o.model.Validate());
  ThrowIfError(o.train.Validate());
  const ExperimentConfig x = AsExperiment(o);
  for (const ConfigField& f : ConfigFields()) {
    if (IsPython(f) && f.part == ConfigPart::kExperiment) ThrowIfError(CheckField(f, x));
  }
}

// `o` as MultitaskModel's arguments.
py::dict OptionsDict(const ModelOptions& o) {
  const ExperimentConfig x = AsExperiment(o);
  py::dict d;
  for (const ConfigField& f : ConfigFields()) {
    if (IsPython(f)) d[f.python] = FieldObject(f, x);
  }
  d["device"] = o.backend;
  return d;
}

// The library's defaults as MultitaskModel's arguments.
py::dict Defaults() {
  static const ModelOptions* const defaults = new ModelOptions();
  return OptionsDict(*defaults);
}

// MultitaskModel's keyword arguments from the schema: (keyword, default,
// type, doc) in order; a derived field's default is None.
py::list ConfigFieldList() {
  const ExperimentConfig defaults;
  py::list out;
  for (const ConfigField& f : ConfigFields()) {
    if (!IsPython(f)) continue;
    out.append(py::make_tuple(f.python, f.python_derived ? py::none() : FieldObject(f, defaults),
                              FieldType(f), f.doc));
  }
  out.append(py::make_tuple("device", ModelOptions().backend, "str",
                            "the compute backend, one of devices()"));
  return out;
}

// One mutating call at a time (fit, set_known_interactions) and none while
// reads run; reads (recommend, evaluate, save, ...) may run together. A call
// that would overlap is refused at once with RuntimeError rather than
// interleaving (two fits would corrupt the training stream). A read from the
// fitting thread itself (an on_epoch callback) goes ahead.
class BusyGuard {
 public:
  class Exclusive {
   public:
    explicit Exclusive(const BusyGuard& g) : g_(g), lock_(g.mutex_, std::try_to_lock) {
      if (!lock_.owns_lock()) throw std::runtime_error(kBusy);
      g_.owner_.store(std::this_thread::get_id());
    }
    ~Exclusive() { g_.owner_.store(std::thread::id()); }

   private:
    const BusyGuard& g_;
    std::unique_lock<std::shared_mutex> lock_;
  };
  class Shared {
   public:
    explicit Shared(const BusyGuard& g) {
      if (g.owner_.load() == std::this_thread::get_id()) return;  // inside the owner's call
      lock_ = std::shared_lock<std::shared_mutex>(g.mutex_, std::try_to_lock);
      if (!lock_.owns_lock()) throw std::runtime_error(kBusy);
    }

   private:
    std::shared_lock<std::shared_mutex> lock_;
  };

 private:
  static constexpr const char* kBusy =
      "model is busy: another thread is fitting it or setting its known interactions (one "
      "such call at a time, and no other call meanwhile)";
  mutable std::shared_mutex mutex_;
  mutable std::atomic<std::thread::id> owner_{};
};

class PyModel {
 public:
  PyModel(Model model, std::shared_ptr<const Dataset> source)
      : model_(std::move(model)), source_(std::move(source)) {
    integer_user_ids_ = HasIntegerIds(model_.users());
    integer_item_ids_ = HasIntegerIds(model_.items());
  }

  static std::unique_ptr<PyModel> Create(const Data& data, const py::kwargs& config) {
    const ModelOptions options = OptionsFrom(config);
    Result<Model> made = Status::Unavailable("not made");
    {
      py::gil_scoped_release release;
      made = Model::Create(options, *data.source);
    }
    return std::make_unique<PyModel>(ValueOrThrow(std::move(made)), data.source);
  }

  static std::unique_ptr<PyModel> Load(const std::string& path, int threads,
                                       const std::string& dataset, const std::string& data_dir) {
    if (threads < 0) throw py::value_error("threads: expected >= 0 (0: every hardware thread)");
    LoadOptions options;
    options.threads = threads;
    options.dataset = dataset;
    options.data_dir = data_dir;
    Result<Model> loaded = Status::Unavailable("not loaded");
    {
      py::gil_scoped_release release;
      loaded = Model::Load(path, options);
    }
    return std::make_unique<PyModel>(ValueOrThrow(std::move(loaded)), nullptr);
  }

  FindRow FindUsers() const {
    return [this](std::string_view raw) { return model_.FindUser(raw); };
  }
  FindRow FindItems() const {
    return [this](std::string_view raw) { return model_.FindItem(raw); };
  }

  // Refuses data whose ids are numbered otherwise than the model's.
  void CheckIds(const Data& data, const char* what) const {
    if (data.source == source_) return;
    if (!SameIds(data.source->users, model_.users()) ||
        !SameIds(data.source->items, model_.items())) {
      throw py::value_error(std::string(what) +
                            ": its ids are numbered differently from the model's (use data "
                            "from the data set the model was made from, or a split of it)");
    }
  }

  py::list Fit(const Data& train, int epochs, const Data* test, const Data* validation,
               const py::object& on_epoch, int64_t max_steps,
               const std::optional<std::string>& early_stopping, int patience, int rating_epochs) {
    const BusyGuard::Exclusive alone(busy_);
    CheckIds(train, "train");
    if (test != nullptr) CheckIds(*test, "test");
    if (validation != nullptr) CheckIds(*validation, "validation");
    best_epoch_ = best_rating_epoch_ = 0;  // this fit's, whatever happens
    py::list epochs_done;
    std::optional<py::error_already_set> callback_error;
    std::atomic<bool> stop{false};
    FitOptions options;
    options.epochs = epochs;
    options.rating_epochs = rating_epochs;
    options.test = test != nullptr ? test->rows.get() : nullptr;
    options.validation = validation != nullptr ? validation->rows.get() : nullptr;
    options.stop = &stop;
    options.max_steps = max_steps;
    if (early_stopping) {
      ThrowIfError(ParseEarlyStoppingRule(*early_stopping, &options.early_stopping));
      options.early_stopping.patience = patience;
    }
    const bool has_test = test != nullptr;
    options.on_epoch = [&](const EpochStats& s) {
      py::gil_scoped_acquire acquire;
      py::dict d = EpochDict(s, has_test);
      epochs_done.append(d);
      if (on_epoch.is_none()) return true;
      try {
        py::object keep_going = on_epoch(d);
        return keep_going.is_none() || keep_going.cast<bool>();
      } catch (py::error_already_set& e) {
        callback_error.emplace(std::move(e));
        return false;
      }
    };
    Result<FitResult> done = Status::Unavailable("not trained");
    InterruptGuard interrupt(&stop);
    {
      py::gil_scoped_release release;
      done = model_.Fit(*train.rows, options);
    }
    const bool interrupted = interrupt.Release();
    train_ = train.rows;
    validation_ = validation != nullptr ? validation->rows : nullptr;
    if (done.ok()) {  // set before any error is raised: the weights are the restored ones
      best_epoch_ = done->best_epoch;
      best_rating_epoch_ = done->best_rating_epoch;
    }
    if (callback_error) throw std::move(*callback_error);
    ThrowIfError(done.status());
    if (interrupted && PyErr_CheckSignals() != 0) throw py::error_already_set();
    return epochs_done;
  }

  // The last fit's early-stopping epochs (0: none restored).
  int best_epoch() const { return best_epoch_; }
  int best_rating_epoch() const { return best_rating_epoch_; }

  py::list History() const {
    const BusyGuard::Shared reading(busy_);
    py::list out;
    for (const EpochStats& s : model_.history()) out.append(EpochDict(s, s.eval.test_size > 0));
    return out;
  }

  py::dict Evaluate(const Data& test, const Data* train, int k) const {
    const BusyGuard::Shared reading(busy_);
    CheckIds(test, "test");
    // By default the last fit's training and validation rows (the user has
    // both's items); an explicit `train` replaces both.
    std::shared_ptr<const Interactions> known = train_, also_known = validation_;
    if (train != nullptr) {
      CheckIds(*train, "train");
      known = train->rows;
      also_known = nullptr;
    }
    if (known == nullptr) {
      throw py::value_error(
          "train: the model has not been fitted in this session; pass the training data "
          "(train=...) so that its items are excluded from the rankings");
    }
    Result<ModelEvaluation> result = Status::Unavailable("not evaluated");
    {
      py::gil_scoped_release release;
      result = model_.Evaluate(*test.rows, {known.get(), also_known.get()}, k);
    }
    const ModelEvaluation e = ValueOrThrow(std::move(result));
    py::dict d;
    d["mrr"] = e.base.mrr;
    d["mse"] = e.base.mse;
    d["rmse"] = e.rmse;
    d["mae"] = e.mae;
    d["precision"] = e.ranking.precision;
    d["recall"] = e.ranking.recall;
    d["ndcg"] = e.ranking.ndcg;
    d["hit_rate"] = e.ranking.hit_rate;
    d["auc"] = e.ranking.auc;
    d["k"] = e.ranking.k;
    d["users"] = e.ranking.users;
    d["test_size"] = e.base.test_size;
    return d;
  }

  // Rows in, rows out: (items (n, k) int32, -1 where fewer than k; scores
  // (n, k) float32, NaN there).
  py::tuple Recommend(const py::handle& user_ids, int k, bool exclude_seen) const {
    const BusyGuard::Shared reading(busy_);
    if (k < 1) throw py::value_error("k: expected >= 1, got " + std::to_string(k));
    const Rows users = RowsOf(FindUsers(), user_ids, "user");
    const auto n = static_cast<py::ssize_t>(users.rows.size());
    py::array_t<int32_t> items({n, static_cast<py::ssize_t>(k)});
    py::array_t<float> scores({n, static_cast<py::ssize_t>(k)});
    int32_t* item_out = items.mutable_data();
    float* score_out = scores.mutable_data();
    Status status;
    {
      py::gil_scoped_release release;
      for (py::ssize_t u = 0; u < n && status.ok(); ++u) {
        Result<std::vector<Recommendation>> top =
            model_.Recommend(users.rows[u], k, /*include_seen=*/!exclude_seen);
        if (!top.ok()) {
          status = top.status();
          break;
        }
        for (int j = 0; j < k; ++j) {
          const bool has = j < static_cast<int>(top->size());
          item_out[u * k + j] = has ? (*top)[j].item : -1;
          score_out[u * k + j] = has ? (*top)[j].score : std::numeric_limits<float>::quiet_NaN();
        }
      }
    }
    ThrowIfError(status);
    return py::make_tuple(items, scores, users.scalar);
  }

  py::tuple Predict(const py::handle& user_ids, const py::handle& item_ids) const {
    const BusyGuard::Shared reading(busy_);
    const Rows users = RowsOf(FindUsers(), user_ids, "user");
    const Rows items = RowsOf(FindItems(), item_ids, "item");
    if (users.rows.size() != items.rows.size()) {
      throw py::value_error("item_ids: expected " + std::to_string(users.rows.size()) +
                            " ids (one per user id), got " + std::to_string(items.rows.size()));
    }
    const auto n = static_cast<py::ssize_t>(users.rows.size());
    py::array_t<float> ratings(n), scores(n);
    float* rating_out = ratings.mutable_data();
    float* score_out = scores.mutable_data();
    Status status;
    {
      py::gil_scoped_release release;
      for (py::ssize_t k = 0; k < n; ++k) {
        Result<Recommendation> p = model_.Predict(users.rows[k], items.rows[k]);
        if (!p.ok()) {
          status = p.status();
          break;
        }
        rating_out[k] = p->rating;
        score_out[k] = p->score;
      }
    }
    ThrowIfError(status);
    return py::make_tuple(ratings, scores, users.scalar && items.scalar);
  }

  py::tuple RecommendForRatings(const py::handle& item_ids, const py::handle& ratings, int k,
                                int steps, double learning_rate, double l2, int64_t seed) const {
    const BusyGuard::Shared reading(busy_);
    const Rows items = RowsOf(FindItems(), item_ids, "item");
    const FloatColumn values = ReadFloatColumn(ratings, "ratings");
    if (values.values.size() != items.rows.size()) {
      throw py::value_error("ratings: expected one rating per item id");
    }
    std::vector<RatedItem> rated;
    for (size_t j = 0; j < items.rows.size(); ++j)
      rated.push_back({items.rows[j], values.values[j]});
    FoldInConfig config;
    config.steps = steps;
    config.learning_rate = learning_rate;
    config.l2 = l2;
    if (seed < 0 || seed > std::numeric_limits<uint32_t>::max()) {  // the Python layer checks
      throw py::value_error("seed: expected an integer in [0, 4294967295], got " +
                            std::to_string(seed));
    }
    config.seed = static_cast<uint32_t>(seed);
    Result<std::vector<Recommendation>> top = Status::Unavailable("not folded in");
    {
      py::gil_scoped_release release;
      top = model_.RecommendForRatings(rated, k, config);
    }
    const std::vector<Recommendation> best = ValueOrThrow(std::move(top));
    py::array_t<int32_t> out_items(static_cast<py::ssize_t>(best.size()));
    py::array_t<float> out_scores(static_cast<py::ssize_t>(best.size()));
    for (size_t j = 0; j < best.size(); ++j) {
      out_items.mutable_data()[j] = best[j].item;
      out_scores.mutable_data()[j] = best[j].score;
    }
    return py::make_tuple(out_items, out_scores);
  }

  // One item in: (items (m,) int32 rows, similarities (m,) float32), m <= k.
  py::tuple SimilarItems(const py::handle& item_id, int k) const {
    const BusyGuard::Shared reading(busy_);
    if (k < 1) throw py::value_error("k: expected >= 1, got " + std::to_string(k));
    const Rows items = RowsOf(FindItems(), item_id, "item");
    if (!items.scalar) throw py::type_error("item: expected one item id, not a sequence");
    Result<std::vector<SimilarItem>> similar = Status::Unavailable("not computed");
    {
      py::gil_scoped_release release;
      similar = model_.SimilarItems(items.rows[0], k);
    }
    const std::vector<SimilarItem> best = ValueOrThrow(std::move(similar));
    py::array_t<int32_t> out_items(static_cast<py::ssize_t>(best.size()));
    py::array_t<float> out_similarity(static_cast<py::ssize_t>(best.size()));
    for (size_t j = 0; j < best.size(); ++j) {
      out_items.mutable_data()[j] = best[j].item;
      out_similarity.mutable_data()[j] = best[j].similarity;
    }
    return py::make_tuple(out_items, out_similarity);
  }

  void SetKnownInteractions(const Data& data) {
    const BusyGuard::Exclusive alone(busy_);
    CheckIds(data, "data");
    // What recommend offers and excludes; not what evaluate ranks last (the
    // known interactions may hold the test rows themselves).
    ThrowIfError(model_.SetKnownInteractions(*data.rows));
  }

  // Model::BuildIndex; returns index_info().
  py::dict BuildIndex(int m, int ef_construction, int ef_search, uint64_t seed) {
    const BusyGuard::Exclusive alone(busy_);
    Status built;
    {
      py::gil_scoped_release release;
      built = model_.BuildIndex({m, ef_construction, ef_search, seed});
    }
    ThrowIfError(built);
    return IndexInfo();
  }
  void DropIndex() {
    const BusyGuard::Exclusive alone(busy_);
    model_.DropIndex();
  }
  // The built index as a dict (empty: none).
  py::dict IndexInfo() const {
    py::dict d;
    if (const std::optional<mtrec::IndexInfo> info = model_.index_info()) {
      d["kind"] = info->kind;
      d["m"] = info->options.m;
      d["ef_construction"] = info->options.ef_construction;
      d["ef_search"] = info->options.ef_search;
      d["seed"] = info->options.seed;
      d["items"] = info->items;
      d["build_seconds"] = info->build_seconds;
      d["memory_bytes"] = info->memory_bytes;
    }
    return d;
  }

  // An existing regular file is replaced only if `overwrite` (FileExistsError
  // otherwise); anything else there (a link, a device, a FIFO, a folder) never
  // is (ValueError).
  void Save(const std::string& path, bool overwrite) const {
    const BusyGuard::Shared reading(busy_);
    Status saved;
    {
      py::gil_scoped_release release;
      saved = model_.Save(path, overwrite);
    }
    if (!saved.ok() && !overwrite && saved.code() == Status::Code::kInvalidArgument) {
      std::error_code ec;
      if (std::filesystem::symlink_status(path, ec).type() ==
          std::filesystem::file_type::regular) {
        const std::string message = path + " already exists; pass overwrite=True to replace it";
        PyErr_SetString(PyExc_FileExistsError, message.c_str());
        throw py::error_already_set();
      }
    }
    ThrowIfError(saved);
  }

  // name -> float32 array (rows, cols), state_dict order.
  py::dict Parameters() const {
    const BusyGuard::Shared reading(busy_);
    py::dict out;
    for (const NamedTensor& t : model_.Parameters()) {
      py::array_t<float> a({static_cast<py::ssize_t>(t.rows), static_cast<py::ssize_t>(t.cols)});
      std::copy(t.values.begin(), t.values.end(), a.mutable_data());
      out[py::str(t.name)] = a;
    }
    return out;
  }

  py::dict Config() const { return OptionsDict(model_.options()); }
  py::array UserIds() const { return RowIds(model_.users(), integer_user_ids_); }
  py::array ItemIds() const { return RowIds(model_.items(), integer_item_ids_); }
  int32_t num_users() const { return model_.num_users(); }
  int32_t num_items() const { return model_.num_items(); }
  std::vector<std::string> ItemTitles() const {
    return source_ != nullptr ? source_->item_titles : std::vector<std::string>{};
  }

 private:
  Model model_;
  BusyGuard busy_;
  std::shared_ptr<const Dataset> source_;           // null for a loaded model
  std::shared_ptr<const Interactions> train_;       // the last fit's (evaluate excludes its items)
  std::shared_ptr<const Interactions> validation_;  // and its validation rows, if any (too)
  int best_epoch_ = 0, best_rating_epoch_ = 0;
  bool integer_user_ids_ = true;
  bool integer_item_ids_ = true;
};

}  // namespace

void BindModel(py::module_& m) {
  m.def("check_config", &CheckConfig, "ValueError naming a bad MultitaskModel argument.");
  m.def("defaults", &Defaults, "The library's defaults of MultitaskModel's arguments.");
  m.def(
      "field_default",
      [](const std::string& name) {
        const ConfigField* f = FindConfigField(name);
        if (f == nullptr) ThrowKeyError("no configuration field '" + name + "'");
        return FieldObject(*f, ExperimentConfig());
      },
      py::arg("name"), "The library's default of a configuration field (e.g. patience).");
  m.def("config_fields", &ConfigFieldList,
        "MultitaskModel's keyword arguments: (keyword, default, type, doc), from the library's "
        "configuration schema.");
  py::class_<PyModel>(m, "Model", "A trained or trainable mtrec model (see mtrec.MultitaskModel).")
      .def_static("create", &PyModel::Create, py::arg("data"))
      .def_static("load", &PyModel::Load, py::arg("path"), py::arg("threads") = 0,
                  py::arg("dataset") = "", py::arg("data_dir") = "")
      .def("fit", &PyModel::Fit, py::arg("train"), py::arg("epochs"), py::arg("test") = nullptr,
           py::arg("validation") = nullptr, py::arg("on_epoch") = py::none(),
           py::arg("max_steps") = 0, py::arg("early_stopping") = py::none(),
           py::arg("patience") = EarlyStoppingConfig().patience, py::arg("rating_epochs") = 0)
      .def_property_readonly("best_epoch", &PyModel::best_epoch)
      .def_property_readonly("best_rating_epoch", &PyModel::best_rating_epoch)
      .def_property_readonly("history", &PyModel::History)
      .def("evaluate", &PyModel::Evaluate, py::arg("test"), py::arg("train") = nullptr,
           py::arg("k") = kDefaultTopK)
      .def("recommend", &PyModel::Recommend, py::arg("user_ids"), py::arg("k"),
           py::arg("exclude_seen"))
      .def("predict", &PyModel::Predict, py::arg("user_ids"), py::arg("item_ids"))
      .def("recommend_for_ratings", &PyModel::RecommendForRatings, py::arg("item_ids"),
           py::arg("ratings"), py::arg("k"), py::arg("steps"), py::arg("learning_rate"),
           py::arg("l2"), py::arg("seed"))
      .def("similar_items", &PyModel::SimilarItems, py::arg("item_id"), py::arg("k"))
      .def("set_known_interactions", &PyModel::SetKnownInteractions, py::arg("data"))
      .def("build_index", &PyModel::BuildIndex, py::arg("m"), py::arg("ef_construction"),
           py::arg("ef_search"), py::arg("seed"))
      .def("drop_index", &PyModel::DropIndex)
      .def("index_info", &PyModel::IndexInfo)
      .def("save", &PyModel::Save, py::arg("path"), py::arg("overwrite"))
      .def("parameters", &PyModel::Parameters)
      .def("config", &PyModel::Config)
      .def_property_readonly("user_ids", &PyModel::UserIds)
      .def_property_readonly("item_ids", &PyModel::ItemIds)
      .def_property_readonly("num_users", &PyModel::num_users)
      .def_property_readonly("num_items", &PyModel::num_items)
      .def_property_readonly("item_titles", &PyModel::ItemTitles);
}

}  // namespace mtrec::python
