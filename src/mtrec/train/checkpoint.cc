#include "mtrec/train/checkpoint.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "mtrec/core/version.h"
#include "mtrec/data/split.h"
#include "mtrec/io/tensor_file.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/train/checkpoint_checks.h"
#include "mtrec/train/experiment_data.h"
#include "mtrec/train/trainer.h"

namespace mtrec {

namespace {

using Json = nlohmann::json;

constexpr const char* kFormat = "mtrec.checkpoint";

Json LossesJson(const EpochLosses& l) {
  return {{"factorization", l.factorization},
          {"regression", l.regression},
          {"joint", l.joint},
          {"batches", l.batches}};
}
EpochLosses LossesFrom(const Json& j) {
  return {j.at("factorization").get<double>(), j.at("regression").get<double>(),
          j.at("joint").get<double>(), j.at("batches").get<int64_t>()};
}
Json EvalJson(const EvalResult& e) {
  return {{"mrr", e.mrr}, {"mse", e.mse}, {"mrr_users", e.mrr_users}, {"test_size", e.test_size}};
}
EvalResult EvalFrom(const Json& j) {
  return {j.at("mrr").get<double>(), j.at("mse").get<double>(), j.at("mrr_users").get<int64_t>(),
          j.at("test_size").get<int64_t>()};
}
Json TrackerJson(const TrackerState& t) {
  return {{"epoch", t.epoch}, {"value", t.value}, {"epochs_since_best", t.epochs_since_best}};
}
TrackerState TrackerFrom(const Json& j) {
  return {j.at("epoch").get<int>(), j.at("value").get<double>(),
          j.at("epochs_since_best").get<int>()};
}

Json FormatToJson(const RatingsFormat& f) {
  std::vector<std::string> columns;
  for (RatingsColumn c : f.columns) columns.emplace_back(ColumnName(c));
  return {{"auto_separator", f.auto_separator},
          {"separator", f.separator},
          {"header", f.header == HeaderMode::kPresent  ? "present"
                     : f.header == HeaderMode::kAbsent ? "absent"
                                                       : "auto"},
          {"columns", columns}};
}

RatingsFormat FormatFromJson(const Json& j) {
  RatingsFormat f;
  f.auto_separator = j.at("auto_separator").get<bool>();
  f.separator = j.at("separator").get<std::string>();
  const std::string header = j.at("header").get<std::string>();
  f.header = header == "present"  ? HeaderMode::kPresent
             : header == "absent" ? HeaderMode::kAbsent
                                  : HeaderMode::kAuto;
  std::string columns;
  for (const Json& c : j.at("columns"))
    columns += (columns.empty() ? "" : ",") + c.get<std::string>();
  if (!ParseColumnsFlag(columns, &f).ok()) throw std::runtime_error("bad columns");
  return f;
}

Json ConfigToJson(const TrainingCheckpoint& c) {
  const ExperimentConfig& x = c.config;
  return {
      {"data",
       {{"dataset", x.data.dataset},
        {"data_dir", x.data.data_dir},
        {"format", FormatToJson(x.data.format)},
        {"ids", x.data.ids == IdPolicy::kRemap ? "remap"
                : x.data.ids == IdPolicy::kRaw ? "raw"
                                               : "auto"},
        {"duplicates", std::string(DuplicatePolicyName(x.data.duplicates))},
        {"path", c.data_path},
        {"interactions", c.interactions},
        {"fingerprint", c.fingerprint},
        {"test_fraction", x.test_fraction},
        {"split_seed", kOriginalSplitSeed},
        {"validation_fraction", x.validation_fraction},
        {"validation_seed", kValidationSplitSeed}}},
      {"model",
       {{"num_users", x.model.num_users},
        {"num_items", x.model.num_items},
        {"embedding_dim", x.model.embedding_dim},
        {"hidden_layers", x.model.hidden_layers},
        {"shared_embeddings", x.model.shared_embeddings},
        {"user_bias", x.model.user_bias}}},
      {"train",
       {{"epochs", x.epochs},
        {"factorization_weight", x.train.factorization_weight},
        {"regression_weight", x.train.regression_weight},
        {"bpr_loss", BprLossName(x.train.bpr_loss)},
        {"batch_size", x.train.batch_size},
        {"optimizer", OptimizerName(x.train.optimizer.kind)},
        {"learning_rate", x.train.optimizer.learning_rate},
        {"beta1", x.train.optimizer.beta1},
        {"beta2", x.train.optimizer.beta2},
        {"eps", x.train.optimizer.eps},
        {"l2", x.train.optimizer.weight_decay},
        {"seed", x.train.seed},
        {"init_weights", x.init_weights}}},
      {"early_stopping",
       {{"metric", MetricName(x.early_stopping.metric)}, {"patience", x.early_stopping.patience}}},
  };
}

void ConfigFromJson(const Json& j, TrainingCheckpoint* c) {
  ExperimentConfig& x = c->config;
  const Json& d = j.at("data");
  x.data.dataset = d.at("dataset").get<std::string>();
  x.data.data_dir = d.at("data_dir").get<std::string>();
  x.data.format = FormatFromJson(d.at("format"));
  const std::string ids = d.at("ids").get<std::string>();
  x.data.ids = ids == "remap" ? IdPolicy::kRemap : ids == "raw" ? IdPolicy::kRaw : IdPolicy::kAuto;
  if (!ParseDuplicatePolicy(d.at("duplicates").get<std::string>(), &x.data.duplicates).ok()) {
    throw std::runtime_error("unknown duplicates policy");
  }
  c->data_path = d.at("path").get<std::string>();
  c->interactions = d.at("interactions").get<int64_t>();
  c->fingerprint = d.at("fingerprint").get<uint32_t>();
  x.test_fraction = d.at("test_fraction").get<double>();
  x.validation_fraction = d.at("validation_fraction").get<double>();
  if (d.at("split_seed").get<uint32_t>() != kOriginalSplitSeed ||
      d.at("validation_seed").get<uint32_t>() != kValidationSplitSeed) {
    throw std::runtime_error("unsupported split seeds");
  }
  const Json& m = j.at("model");
  x.model.num_users = m.at("num_users").get<int32_t>();
  x.model.num_items = m.at("num_items").get<int32_t>();
  x.model.embedding_dim = m.at("embedding_dim").get<int>();
  x.model.hidden_layers = m.at("hidden_layers").get<std::vector<int>>();
  x.model.shared_embeddings = m.at("shared_embeddings").get<bool>();
  x.model.user_bias = m.at("user_bias").get<bool>();
  const Json& t = j.at("train");
  x.epochs = t.at("epochs").get<int>();
  x.train.factorization_weight = t.at("factorization_weight").get<double>();
  x.train.regression_weight = t.at("regression_weight").get<double>();
  if (!ParseBprLoss(t.at("bpr_loss").get<std::string>(), &x.train.bpr_loss)) {
    throw std::runtime_error("unknown bpr_loss");
  }
  x.train.batch_size = t.at("batch_size").get<int>();
  const Result<OptimizerKind> optimizer = ParseOptimizerKind(t.at("optimizer").get<std::string>());
  if (!optimizer.ok()) throw std::runtime_error("unknown optimizer");
  x.train.optimizer.kind = *optimizer;
  x.train.optimizer.learning_rate = t.at("learning_rate").get<double>();
  x.train.optimizer.beta1 = t.at("beta1").get<double>();
  x.train.optimizer.beta2 = t.at("beta2").get<double>();
  x.train.optimizer.eps = t.at("eps").get<double>();
  x.train.optimizer.weight_decay = t.at("l2").get<double>();
  x.train.seed = t.at("seed").get<uint32_t>();
  x.init_weights = t.at("init_weights").get<std::string>();
  const Json& e = j.at("early_stopping");
  const std::string metric = e.at("metric").get<std::string>();
  if (metric == "none") {
    x.early_stopping.metric = Metric::kNone;
  } else {
    const Result<Metric> parsed = ParseMetric(metric, "early_stopping");
    if (!parsed.ok()) throw std::runtime_error("unknown early-stopping metric");
    x.early_stopping.metric = *parsed;
  }
  x.early_stopping.patience = e.at("patience").get<int>();
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
  s.epoch = j.at("epoch").get<int>();
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

}  // namespace

Status SaveCheckpoint(const std::filesystem::path& path, const TrainingCheckpoint& c) {
  Json doc = {{"mtrec_version", kVersion},
              {"logdir", c.logdir},
              {"run_id", c.run_id},
              {"state", c.state},
              {"config", ConfigToJson(c)},
              {"ids", {{"users", c.user_ids}, {"items", c.item_ids}}},
              {"optimizer", {{"name", c.optimizer}, {"steps", c.optimizer_steps}}},
              {"progress",
               {{"epochs_done", c.epochs_done},
                {"batches_done", c.batches_done},
                {"sums", LossesJson(c.sums)}}},
              {"early_stopping_best", TrackerJson(c.early_stopping_best)},
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
    return Status::Corruption(path.string() +
                              ": cannot save the checkpoint: the data's ids or path are not "
                              "UTF-8 text (re-encode the ratings file as UTF-8): " +
                              e.what());
  }
  file.metadata["rng"] = c.rng_state;
  const MultiTaskNet layout_net(c.config.model);
  for (const ParamBlock& b : layout_net.layout().blocks()) {
    file.tensors.push_back(Tensor::F32(
        b.name, {b.rows, b.cols}, std::span<const float>(c.params).subspan(b.offset, b.size())));
  }
  for (const auto& [name, values] : c.optimizer_state) {
    file.tensors.push_back(
        Tensor::F32("optimizer." + name, {static_cast<int64_t>(values.size())}, values));
  }
  if (!c.best_params.empty()) {
    file.tensors.push_back(
        Tensor::F32("best_params", {static_cast<int64_t>(c.best_params.size())}, c.best_params));
  }
  return WriteTensorFile(path, file);
}

Result<TrainingCheckpoint> LoadCheckpoint(const std::filesystem::path& path) {
  const std::string where = path.string();
  MTREC_ASSIGN_OR_RETURN(const TensorFile file, ReadTensorFile(path));
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
  try {
    c.state = doc.at("state").get<std::string>();
    c.logdir = doc.at("logdir").get<std::string>();
    c.run_id = doc.value("run_id", "");  // absent in checkpoints of older versions
    ConfigFromJson(doc.at("config"), &c);
    c.user_ids = doc.at("ids").at("users").get<std::vector<std::string>>();
    c.item_ids = doc.at("ids").at("items").get<std::vector<std::string>>();
    c.optimizer = doc.at("optimizer").at("name").get<std::string>();
    c.optimizer_steps = doc.at("optimizer").at("steps").get<int64_t>();
    const Json& p = doc.at("progress");
    c.epochs_done = p.at("epochs_done").get<int>();
    c.batches_done = p.at("batches_done").get<int64_t>();
    c.sums = LossesFrom(p.at("sums"));
    for (const Json& e : doc.at("history")) c.history.push_back(EpochFromJson(e));
    c.early_stopping_best = TrackerFrom(doc.at("early_stopping_best"));
    c.save_best = TrackerFrom(doc.at("save_best"));
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
  const MultiTaskNet layout_net(c.config.model);
  const ParameterLayout& layout = layout_net.layout();
  c.params.assign(layout.total_size(), 0.0f);
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
    const std::vector<float> values = t->ToF32();
    std::copy(values.begin(), values.end(), c.params.begin() + b.offset);
  }
  const std::vector<int64_t> flat = {layout.total_size()};
  for (const Tensor& t : file.tensors) {
    const bool optimizer = t.name.starts_with("optimizer.");
    if (!optimizer && t.name != "best_params") continue;
    if (t.dtype != "F32" || t.shape != flat) {
      return Status::Corruption(where + ": tensor '" + t.name + "' does not match the model's " +
                                std::to_string(layout.total_size()) + " parameters");
    }
    ++expected_tensors;
    if (optimizer) {
      c.optimizer_state.emplace_back(t.name.substr(10), t.ToF32());
    } else {
      c.best_params = t.ToF32();
    }
  }
  if (expected_tensors != file.tensors.size()) {
    return Status::Corruption(where + ": unexpected tensors for the recorded model");
  }
  return c;
}

void CaptureTrainingState(const MultiTaskNet& net, Trainer& trainer, TrainingCheckpoint* c) {
  c->params.assign(net.params().begin(), net.params().end());
  Optimizer& opt = trainer.optimizer();
  c->optimizer = opt.name();
  c->optimizer_steps = opt.steps();
  c->optimizer_state.clear();
  for (const Optimizer::StateTensor& s : opt.state()) {
    c->optimizer_state.emplace_back(s.name, std::vector<float>(s.values.begin(), s.values.end()));
  }
  EpochCursor cursor = trainer.cursor();
  std::ostringstream rng;
  rng << cursor.start_rng.engine();
  c->rng_state = rng.str();
  c->batches_done = cursor.batches_done;
  c->sums = cursor.sums;
}

Status RestoreWeights(const TrainingCheckpoint& c, const std::string& source, MultiTaskNet* net) {
  const ModelConfig& a = c.config.model;
  const ModelConfig& b = net->config();
  if (a.num_users != b.num_users || a.num_items != b.num_items ||
      a.embedding_dim != b.embedding_dim || a.hidden_layers != b.hidden_layers ||
      a.shared_embeddings != b.shared_embeddings || a.user_bias != b.user_bias) {
    return Status::InvalidArgument(
        source + ": the checkpoint holds a different model shape (" + std::to_string(a.num_users) +
        " users x " + std::to_string(a.num_items) + " items, dim " +
        std::to_string(a.embedding_dim) + (a.shared_embeddings ? ", shared" : ", separate") +
        ") than expected (" + std::to_string(b.num_users) + " x " + std::to_string(b.num_items) +
        ", dim " + std::to_string(b.embedding_dim) +
        (b.shared_embeddings ? ", shared" : ", separate") + ")");
  }
  if (c.params.size() != net->params().size()) {
    return Status::Corruption(source + ": the weights do not match the model");
  }
  std::copy(c.params.begin(), c.params.end(), net->params().begin());
  return Status::Ok();
}

Status RestoreTrainingState(const TrainingCheckpoint& c, const std::string& source,
                            MultiTaskNet* net, Trainer* trainer) {
  MTREC_RETURN_IF_ERROR(RestoreWeights(c, source, net));
  Optimizer& opt = trainer->optimizer();
  if (opt.name() != c.optimizer) {
    return Status::InvalidArgument(source + ": the checkpoint was trained with the '" +
                                   c.optimizer + "' optimizer, this run uses '" + opt.name() + "'");
  }
  std::vector<Optimizer::StateTensor> state = opt.state();
  if (state.size() != c.optimizer_state.size()) {
    return Status::Corruption(source + ": the optimizer state does not match '" + opt.name() + "'");
  }
  for (size_t k = 0; k < state.size(); ++k) {
    const auto& [name, values] = c.optimizer_state[k];
    if (state[k].name != name || state[k].values.size() != values.size()) {
      return Status::Corruption(source + ": optimizer state '" + name + "' does not match");
    }
    std::copy(values.begin(), values.end(), state[k].values.begin());
  }
  opt.set_steps(c.optimizer_steps);
  EpochCursor cursor;
  std::istringstream rng(c.rng_state);
  rng >> cursor.start_rng.engine();
  if (rng.fail()) return Status::Corruption(source + ": the training stream state is malformed");
  cursor.batches_done = c.batches_done;
  cursor.sums = c.sums;
  trainer->ResumeEpoch(cursor);
  return Status::Ok();
}

}  // namespace mtrec
