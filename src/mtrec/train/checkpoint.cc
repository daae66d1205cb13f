#include "mtrec/train/checkpoint.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/core/version.h"
#include "mtrec/io/tensor_file.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/train/checkpoint_checks.h"
#include "mtrec/train/config_json.h"
#include "mtrec/train/trainer.h"

namespace mtrec {

// An optimizer state tensor's name in the file: this prefix and the state's name.
constexpr std::string_view kOptimizerPrefix = "optimizer.";

namespace {

// Keys in insertion order (older files, written with sorted keys, read the same).
using Json = nlohmann::ordered_json;

constexpr const char* kFormat = "mtrec.checkpoint";

// The integer `key` of `j`, range-checked before it is narrowed to T: a float,
// a string or a value outside T's range throws (the caller's Corruption).
template <class T>
T IntegerAt(const Json& j, const char* key) {
  const Json& v = j.at(key);
  const auto bad = [&] {
    return std::out_of_range(std::string(key) + ": " + v.dump() + " is not an integer in [" +
                             std::to_string(std::numeric_limits<T>::min()) + ", " +
                             std::to_string(std::numeric_limits<T>::max()) + "]");
  };
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<T>::max())) throw bad();
    return static_cast<T>(u);
  }
  if (!v.is_number_integer()) throw bad();
  const int64_t s = v.get<int64_t>();
  if (std::cmp_less(s, std::numeric_limits<T>::min()) ||
      std::cmp_greater(s, std::numeric_limits<T>::max())) {
    throw bad();
  }
  return static_cast<T>(s);
}

// A metric or loss: JSON has no NaN or infinity (a diverging run's test MSE
// may be either), so those are the strings "nan", "inf" and "-inf"; null (how
// older versions wrote them, unreadable then) reads as NaN.
Json RealJson(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
}
double RealAt(const Json& j, const char* key) {
  const Json& v = j.at(key);
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_string()) return v.get<double>();
  const std::string text = v.get<std::string>();
  if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (text == "inf") return std::numeric_limits<double>::infinity();
  if (text == "-inf") return -std::numeric_limits<double>::infinity();
  throw std::invalid_argument(std::string(key) + ": expected a number, got '" + text + "'");
}

Json LossesJson(const EpochLosses& l) {
  return {{"factorization", RealJson(l.factorization)},
          {"regression", RealJson(l.regression)},
          {"joint", RealJson(l.joint)},
          {"batches", l.batches}};
}
EpochLosses LossesFrom(const Json& j) {
  return {RealAt(j, "factorization"), RealAt(j, "regression"), RealAt(j, "joint"),
          IntegerAt<int64_t>(j, "batches")};
}
Json EvalJson(const EvalResult& e) {
  return {{"mrr", RealJson(e.mrr)},
          {"mse", RealJson(e.mse)},
          {"mrr_users", e.mrr_users},
          {"test_size", e.test_size}};
}
EvalResult EvalFrom(const Json& j) {
  return {RealAt(j, "mrr"), RealAt(j, "mse"), IntegerAt<int64_t>(j, "mrr_users"),
          IntegerAt<int64_t>(j, "test_size")};
}
Json TrackerJson(const TrackerState& t) {
  return {
      {"epoch", t.epoch}, {"value", RealJson(t.value)}, {"epochs_since_best", t.epochs_since_best}};
}
TrackerState TrackerFrom(const Json& j) {
  return {IntegerAt<int>(j, "epoch"), RealAt(j, "value"), IntegerAt<int>(j, "epochs_since_best")};
}

// The checkpoint's `config` object: the shared codec's output, with the data
// facts of the run (path, interactions, fingerprint) added to its `data`
// object, where format version 1 keeps them.
Json ConfigToJson(const TrainingCheckpoint& c) {
  Json config = ExperimentConfigToJson(c.config);
  Json& data = config["data"];
  data["path"] = c.data_path;
  data["interactions"] = c.interactions;
  data["fingerprint"] = c.fingerprint;
  return config;
}

Json EpochToJson(const EpochStats& s) {
  Json j = {{"epoch", s.epoch},
            {"losses", LossesJson(s.losses)},
            {"eval", EvalJson(s.eval)},
            {"train_seconds", s.train_seconds},
            {"eval_seconds", s.eval_seconds}};
  if (s.has_validation) j["validation"] = EvalJson(s.validation);
  return j;
}

EpochStats EpochFromJson(const Json& j) {
  EpochStats s;
  s.epoch = IntegerAt<int>(j, "epoch");
  s.losses = LossesFrom(j.at("losses"));
  s.eval = EvalFrom(j.at("eval"));
  s.train_seconds = j.at("train_seconds").get<double>();
  s.eval_seconds = j.at("eval_seconds").get<double>();
  if (j.contains("validation")) {
    s.has_validation = true;
    s.validation = EvalFrom(j.at("validation"));
  }
  return s;
}

std::string Shape(int64_t rows, int64_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

// A tensor holding NaN or infinity (a step whose loss is not finite is never
// applied, so a run does not write one): its weights would rank NaN, its
// optimizer state would make the next step NaN.
Status NotFinite(const std::string& where, const std::string& tensor) {
  return Status::Corruption(where + ": tensor '" + tensor +
                            "' holds a value that is not finite (NaN or infinity)");
}

}  // namespace

namespace {

// The best epoch's weights a checkpoint holds: the view or the copy (with
// sharded tables, each rank's rows: Backend::held's layout).
std::span<const float> BestParamsOf(const TrainingCheckpoint& c) {
  return c.best_params_view.empty() ? std::span<const float>(c.best_params) : c.best_params_view;
}

// The backend's parameters and optimizer state, then the best epoch's
// weights, to `emit` (with sharded tables a collective: on rank 0, null
// elsewhere).
void StreamFromBackend(const TrainingCheckpoint& c, const Backend::FloatsEmit* emit) {
  c.streamed->StreamState(emit);
  const std::span<const float> best = BestParamsOf(c);
  if (!best.empty()) c.streamed->StreamParams(best, emit);
}

}  // namespace

Status SaveCheckpoint(const std::filesystem::path& path, const TrainingCheckpoint& c,
                      const AtomicWriteOptions& options) {
  if (path.empty()) {  // a rank that does not write: its rows only
    if (c.streamed != nullptr && c.streamed->tables_sharded()) StreamFromBackend(c, nullptr);
    return Status::Ok();
  }
  Json doc = {{"mtrec_version", kVersion},
              {"logdir", c.logdir},
              {"run_id", c.run_id},
              {"state", NameOf(kCheckpointStateNames, c.state)},
              {"config", ConfigToJson(c)},
              {"ids", {{"users", c.user_ids}, {"items", c.item_ids}}},
              {"optimizer", {{"name", c.optimizer}, {"steps", c.optimizer_steps}}},
              {"progress",
               {{"epochs_done", c.epochs_done},
                {"batches_done", c.batches_done},
                {"sums", LossesJson(c.sums)}}},
              {"early_stopping_best", TrackerJson(c.early_stopping_best)},
              {"rating_best", TrackerJson(c.rating_best)},
              {"save_best", TrackerJson(c.save_best)}};
  Json history = Json::array();
  for (const EpochStats& s : c.history) history.push_back(EpochToJson(s));
  doc["history"] = std::move(history);

  TensorFile file;
  file.metadata["format"] = kFormat;
  file.metadata["format_version"] = std::to_string(kCheckpointFormatVersion);
  try {
    file.metadata["mtrec"] = doc.dump();  // exact text or nothing: ids are looked up by it
  } catch (const Json::type_error& e) {
    if (c.streamed != nullptr && c.streamed->tables_sharded()) {
      StreamFromBackend(c, nullptr);  // the others wait for it
    }
    return Status::Corruption(path.string() +
                              ": cannot save the checkpoint: the data's ids or path are not "
                              "UTF-8 text (re-encode the ratings file as UTF-8): " +
                              e.what());
  }
  file.metadata["rng"] = c.rng_state;
  const auto spec = [&](std::string name, std::vector<int64_t> shape) {
    file.tensors.push_back(Tensor{std::move(name), "F32", std::move(shape), {}});
  };
  const ParameterLayout layout = MultiTaskNet::LayoutOf(c.config.model);
  for (const ParamBlock& b : layout.blocks()) spec(b.name, {b.rows, b.cols});
  if (c.streamed != nullptr) {
    for (const auto& [name, size] : c.streamed->StateShape().tensors) {
      spec(std::string(kOptimizerPrefix) + name, {size});
    }
  } else {
    for (const auto& [name, values] : c.optimizer_state) {
      spec(std::string(kOptimizerPrefix) + name, {static_cast<int64_t>(values.size())});
    }
  }
  const std::span<const float> best = BestParamsOf(c);
  if (!best.empty()) spec("best_params", {layout.total_size()});
  const auto produce = [&](const TensorBytesEmit& emit) {
    const Backend::FloatsEmit floats = [&](std::span<const float> values) {
      emit(std::string_view(reinterpret_cast<const char*>(values.data()), values.size_bytes()));
    };
    if (c.streamed != nullptr) {
      StreamFromBackend(c, &floats);
    } else {
      floats(c.params);
      for (const auto& [name, values] : c.optimizer_state) floats(values);
      floats(best);
    }
  };
  return WriteTensorFileStreamed(path, file, produce, options);
}

Result<TrainingCheckpoint> LoadCheckpoint(const std::filesystem::path& path,
                                          const CheckpointLoadOptions& options) {
  const std::string where = path.string();
  TensorFile file;
  std::shared_ptr<const TensorFileReader> reader;
  std::string not_finite;  // deferred: the first tensor holding NaN or infinity
  if (options.defer_tensors) {
    MTREC_ASSIGN_OR_RETURN(
        reader, TensorFileReader::Open(path, [&](const Tensor& t, std::string_view piece) {
          if (not_finite.empty() && t.dtype == "F32" && !AllFiniteF32(piece)) not_finite = t.name;
          return Status::Ok();
        }));
    file = reader->index();
  } else {
    MTREC_ASSIGN_OR_RETURN(file, ReadTensorFile(path));
  }
  const bool deferred = reader != nullptr;
  const auto meta = [&](const std::string& key) -> std::string {
    const auto it = file.metadata.find(key);
    return it == file.metadata.end() ? "" : it->second;
  };
  if (meta("format") != kFormat) {
    return Status::Corruption(where + ": not an mtrec checkpoint (format '" + meta("format") +
                              "', expected '" + kFormat + "')");
  }
  if (meta("format_version") != std::to_string(kCheckpointFormatVersion)) {
    return Status::Unavailable(where + ": checkpoint format version " + meta("format_version") +
                               " is not supported (this mtrec " + kVersion + " reads version " +
                               std::to_string(kCheckpointFormatVersion) + ")");
  }
  TrainingCheckpoint c;
  c.rng_state = meta("rng");
  const Json doc = Json::parse(meta("mtrec"), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Corruption(where + ": the 'mtrec' metadata is not JSON");
  if (!doc.is_object()) {
    return Status::Corruption(where + ": the 'mtrec' metadata is not a JSON object");
  }
  try {
    const std::string state = doc.at("state").get<std::string>();
    const std::optional<CheckpointState> known = ValueNamed(kCheckpointStateNames, state);
    if (!known) {
      return Status::Corruption(where + ": inconsistent training progress: unknown state '" +
                                state + "'");
    }
    c.state = *known;
    c.logdir = doc.at("logdir").get<std::string>();
    c.run_id = doc.value("run_id", "");  // absent in checkpoints of older versions
    const Json& config = doc.at("config");
    if (Status s = ExperimentConfigFromJson(config, &c.config); !s.ok()) {
      return Status::Corruption(where + ": bad configuration: config." + s.message());
    }
    const Json& data = config.at("data");
    c.data_path = data.at("path").get<std::string>();
    c.interactions = IntegerAt<int64_t>(data, "interactions");
    c.fingerprint = IntegerAt<uint32_t>(data, "fingerprint");
    c.user_ids = doc.at("ids").at("users").get<std::vector<std::string>>();
    c.item_ids = doc.at("ids").at("items").get<std::vector<std::string>>();
    c.optimizer = doc.at("optimizer").at("name").get<std::string>();
    c.optimizer_steps = IntegerAt<int64_t>(doc.at("optimizer"), "steps");
    const Json& p = doc.at("progress");
    c.epochs_done = IntegerAt<int>(p, "epochs_done");
    c.batches_done = IntegerAt<int64_t>(p, "batches_done");
    c.sums = LossesFrom(p.at("sums"));
    for (const Json& e : doc.at("history")) c.history.push_back(EpochFromJson(e));
    c.early_stopping_best = TrackerFrom(doc.at("early_stopping_best"));
    c.save_best = TrackerFrom(doc.at("save_best"));
    if (doc.contains("rating_best")) c.rating_best = TrackerFrom(doc.at("rating_best"));
  } catch (const std::exception& e) {
    return Status::Corruption(where + ": malformed 'mtrec' metadata: " + e.what());
  }
  MTREC_RETURN_IF_ERROR(CheckCheckpointProgress(c, where));
  if (Status s = c.config.model.Validate(); !s.ok()) {
    return Status::Corruption(where + ": bad model configuration: " + s.message());
  }
  if (Status s = c.config.train.Validate(); !s.ok()) {
    return Status::Corruption(where + ": bad training configuration: " + s.message());
  }
  if ((!c.user_ids.empty() && std::ssize(c.user_ids) != c.config.model.num_users) ||
      (!c.item_ids.empty() && std::ssize(c.item_ids) != c.config.model.num_items)) {
    return Status::Corruption(where + ": the id lists do not match the model's table sizes");
  }
  // The weights, checked against the recorded model shape.
  const ParameterLayout layout = MultiTaskNet::LayoutOf(c.config.model);
  if (!deferred) c.params.assign(layout.total_size(), 0.0f);
  size_t expected_tensors = layout.blocks().size();
  for (const ParamBlock& b : layout.blocks()) {
    const Tensor* t = file.Find(b.name);
    if (t == nullptr) {
      return Status::Corruption(where + ": no tensor '" + b.name + "' for the recorded model");
    }
    if (t->dtype != "F32" || t->shape != std::vector<int64_t>{b.rows, b.cols}) {
      const std::string got = t->shape.size() == 2 ? Shape(t->shape[0], t->shape[1]) : "not 2-D";
      return Status::Corruption(where + ": tensor '" + b.name + "' is " + got + " " + t->dtype +
                                ", the recorded model shape needs " + Shape(b.rows, b.cols) +
                                " F32");
    }
    if (deferred) continue;
    const std::span<float> block(c.params.data() + b.offset, static_cast<size_t>(b.rows * b.cols));
    if (!t->CopyFiniteF32(block)) return NotFinite(where, b.name);
  }
  const std::vector<int64_t> flat = {layout.total_size()};
  for (const Tensor& t : file.tensors) {
    const bool optimizer = t.name.starts_with(kOptimizerPrefix);
    if (!optimizer && t.name != "best_params") continue;
    // An optimizer's state tensors are 1-D, their sizes its own (row-wise
    // Adagrad's row_sum has one per table row): the backend checks them.
    const bool fits = optimizer ? t.shape.size() == 1 : t.shape == flat;
    if (t.dtype != "F32" || !fits) {
      return Status::Corruption(where + ": tensor '" + t.name + "' does not match the model's " +
                                std::to_string(layout.total_size()) + " parameters");
    }
    ++expected_tensors;
    if (deferred) continue;
    std::vector<float> values(static_cast<size_t>(t.shape[0]));
    if (!t.CopyFiniteF32(values)) return NotFinite(where, t.name);
    if (optimizer) {
      c.optimizer_state.emplace_back(t.name.substr(kOptimizerPrefix.size()), std::move(values));
    } else {
      c.best_params = std::move(values);
    }
  }
  if (expected_tensors != file.tensors.size()) {
    return Status::Corruption(where + ": unexpected tensors for the recorded model");
  }
  if (!not_finite.empty()) return NotFinite(where, not_finite);
  c.tensors = std::move(reader);
  return c;
}

Status ReadDeferredTensors(TrainingCheckpoint& c) {
  if (c.tensors == nullptr) return Status::Ok();
  const TensorFileReader& reader = *c.tensors;
  const auto read = [&](const Tensor& t, std::span<float> out) {
    return reader.Read(t.name, 0,
                       std::span<char>(reinterpret_cast<char*>(out.data()), out.size_bytes()));
  };
  const ParameterLayout layout = MultiTaskNet::LayoutOf(c.config.model);
  c.params.assign(layout.total_size(), 0.0f);
  for (const ParamBlock& b : layout.blocks()) {
    MTREC_RETURN_IF_ERROR(
        read(*reader.index().Find(b.name), std::span<float>(c.params).subspan(b.offset, b.size())));
  }
  for (const Tensor& t : reader.index().tensors) {
    const bool optimizer = t.name.starts_with(kOptimizerPrefix);
    if (!optimizer && t.name != "best_params") continue;
    std::vector<float> values(static_cast<size_t>(t.elements()));
    MTREC_RETURN_IF_ERROR(read(t, values));
    if (optimizer) {
      c.optimizer_state.emplace_back(t.name.substr(kOptimizerPrefix.size()), std::move(values));
    } else {
      c.best_params = std::move(values);
    }
  }
  c.tensors.reset();
  return Status::Ok();
}

void CaptureTrainingState(const Backend& backend, const Trainer& trainer, TrainingCheckpoint* c) {
  c->streamed = &backend;  // the values are streamed while the file is written
  const OptimizerShape optimizer = backend.StateShape();
  c->optimizer = optimizer.name;
  c->optimizer_steps = optimizer.steps;
  EpochCursor cursor = trainer.cursor();
  std::ostringstream rng;
  rng << cursor.start_rng.engine();
  c->rng_state = rng.str();
  c->batches_done = cursor.batches_done;
  c->sums = cursor.sums;
}

Result<std::vector<float>> BestParamsFor(const TrainingCheckpoint& c, const Backend& backend) {
  const bool in_file = c.tensors != nullptr && c.tensors->index().Find("best_params") != nullptr;
  if (!in_file && c.best_params.empty()) return std::vector<float>();
  const Backend::TensorRead read = [&](const std::string& name, int64_t offset,
                                       std::span<float> out) {
    if (!in_file) {
      std::copy_n(c.best_params.begin() + offset, out.size(), out.begin());
      return Status::Ok();
    }
    return c.tensors->Read(name, offset * static_cast<int64_t>(sizeof(float)),
                           std::span<char>(reinterpret_cast<char*>(out.data()), out.size_bytes()));
  };
  std::vector<float> held(backend.held().params().size());
  MTREC_RETURN_IF_ERROR(backend.ReadParams(read, "best_params", held));
  return held;
}

namespace {

// "dim 32, separate" (", ranking 64" when the ranking tables' width differs).
std::string ShapeText(const ModelConfig& m) {
  std::string text = "dim " + std::to_string(m.embedding_dim);
  if (m.RankingDim() != m.embedding_dim) text += ", ranking " + std::to_string(m.RankingDim());
  return text + (m.shared_embeddings ? ", shared" : ", separate");
}

// OK when the checkpoint's model `a` has the shape of `b`.
Status CheckModelShape(const ModelConfig& a, const ModelConfig& b, const std::string& source) {
  if (a.num_users != b.num_users || a.num_items != b.num_items ||
      a.embedding_dim != b.embedding_dim || a.RankingDim() != b.RankingDim() ||
      a.hidden_layers != b.hidden_layers ||
      a.shared_embeddings != b.shared_embeddings || a.user_bias != b.user_bias ||
      a.rating_biases != b.rating_biases || a.rating_dot != b.rating_dot ||
      a.rating_implicit != b.rating_implicit) {
    return Status::InvalidArgument(
        source + ": the checkpoint holds a different model shape (" + std::to_string(a.num_users) +
        " users x " + std::to_string(a.num_items) + " items, " + ShapeText(a) +
        ") than expected (" + std::to_string(b.num_users) + " x " + std::to_string(b.num_items) +
        ", " + ShapeText(b) + ")");
  }
  return Status::Ok();
}

}  // namespace

Status RestoreWeights(const TrainingCheckpoint& c, const std::string& source, MultiTaskNet* net) {
  MTREC_RETURN_IF_ERROR(CheckModelShape(c.config.model, net->config(), source));
  if (c.params.size() != net->params().size()) {
    return Status::Corruption(source + ": the weights do not match the model");
  }
  std::copy(c.params.begin(), c.params.end(), net->params().begin());
  return Status::Ok();
}

Status RestoreTrainingState(const TrainingCheckpoint& c, const std::string& source,
                            Backend* backend, Trainer* trainer) {
  if (c.tensors != nullptr && backend->tables_sharded()) {
    // Each rank reads its own rows of the checked file.
    MTREC_RETURN_IF_ERROR(CheckModelShape(c.config.model, backend->net().config(), source));
    const TensorFileReader& reader = *c.tensors;
    OptimizerShape shape{c.optimizer, c.optimizer_steps, {}};
    for (const Tensor& t : reader.index().tensors) {
      if (t.name.starts_with(kOptimizerPrefix))
        shape.tensors.emplace_back(t.name.substr(kOptimizerPrefix.size()), t.elements());
    }
    const Backend::TensorRead read = [&](const std::string& name, int64_t offset,
                                         std::span<float> out) {
      return reader.Read(name, offset * static_cast<int64_t>(sizeof(float)),
                         std::span<char>(reinterpret_cast<char*>(out.data()), out.size_bytes()));
    };
    MTREC_RETURN_IF_ERROR(backend->LoadState(read, shape, source));
  } else if (c.tensors != nullptr) {
    TrainingCheckpoint whole = c;
    MTREC_RETURN_IF_ERROR(ReadDeferredTensors(whole));
    return RestoreTrainingState(whole, source, backend, trainer);
  } else {
    Status weights;
    backend->WriteParams([&](MultiTaskNet& net) { weights = RestoreWeights(c, source, &net); });
    MTREC_RETURN_IF_ERROR(weights);
    MTREC_RETURN_IF_ERROR(backend->LoadOptimizerState(
        OptimizerState{c.optimizer, c.optimizer_steps, c.optimizer_state}, source));
  }
  EpochCursor cursor;
  std::istringstream rng(c.rng_state);
  rng >> cursor.start_rng.engine();
  if (rng.fail()) return Status::Corruption(source + ": the training stream state is malformed");
  cursor.batches_done = c.batches_done;
  cursor.sums = c.sums;
  trainer->ResumeEpoch(cursor);
  return Status::Ok();
}

Result<IdMap> CheckpointIdMap(const std::vector<std::string>& ids, int32_t rows,
                              const std::string& source, const char* what) {
  if (ids.empty()) return IdMap::Identity(rows);
  IdMap map;
  for (const std::string& id : ids) map.Intern(id);
  if (map.size() != std::ssize(ids)) {
    return Status::Corruption(source + ": the checkpoint's " + what + " ids repeat an id");
  }
  return map;
}

void CheckpointIdLists(const IdMap& users, const IdMap& items, TrainingCheckpoint* c) {
  c->user_ids.clear();
  c->item_ids.clear();
  if (users.is_identity() && items.is_identity()) return;
  for (int32_t u = 0; u < users.size(); ++u) c->user_ids.push_back(users.Name(u));
  for (int32_t i = 0; i < items.size(); ++i) c->item_ids.push_back(items.Name(i));
}

}  // namespace mtrec
