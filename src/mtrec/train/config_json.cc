#include "mtrec/train/config_json.h"

#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "mtrec/core/config_names.h"
#include "mtrec/core/enum_names.h"
#include "mtrec/data/ratings_format.h"
#include "mtrec/data/split.h"
#include "mtrec/optim/optimizer.h"
#include "mtrec/train/best_tracker.h"
#include "mtrec/train/experiment_data.h"

namespace mtrec {

namespace {

using Json = nlohmann::ordered_json;

// A parser's message starts with the field it parsed ("optimizer: expected ...");
// read from a file, the full key path is named instead.
std::string WithoutField(const std::string& message) {
  const size_t colon = message.find(": ");
  if (colon == std::string::npos || colon == 0) return message;
  for (size_t k = 0; k < colon; ++k) {
    const char c = message[k];
    if (!(c == '_' || (c >= 'a' && c <= 'z'))) return message;
  }
  return message.substr(colon + 2);
}

// Reads the fields of one JSON object into typed destinations. The first
// problem (a missing key, a value of another type or out of range, a bad name)
// is kept in *status as an InvalidArgument naming the key's path; once there is
// one, every later read does nothing.
class FieldReader {
 public:
  // `json` is the object at `path` ("" for the root); nullptr: it is missing
  // (and the error is already recorded).
  FieldReader(const Json* json, std::string path, Status* status)
      : json_(json), path_(std::move(path)), status_(status) {}

  FieldReader Object(const char* key) const {
    const Json* v = Find(key);
    if (v != nullptr && !v->is_object()) {
      Fail(key, "expected an object, got " + Shown(*v));
      v = nullptr;
    }
    return FieldReader(v, Path(key), status_);
  }

  void Read(const char* key, std::string* out) const {
    if (const Json* v = Find(key, &Json::is_string, "a string")) *out = v->get<std::string>();
  }
  void Read(const char* key, bool* out) const {
    if (const Json* v = Find(key, &Json::is_boolean, "true or false")) *out = v->get<bool>();
  }
  // A field later versions added: absent in older files, which then keep the
  // default (the original's behaviour).
  template <class T>
  void ReadAdded(const char* key, T* out) const {
    if (json_ != nullptr && json_->contains(key)) Read(key, out);
  }
  void Read(const char* key, double* out) const {
    if (const Json* v = Find(key, &Json::is_number, "a number")) *out = v->get<double>();
  }
  template <std::integral T>
  void Read(const char* key, T* out) const {
    const Json* v = Find(key, &Json::is_number_integer, "an integer");
    if (v != nullptr && !ToInteger(*v, out)) {
      Fail(key, "expected an integer in [" + std::to_string(std::numeric_limits<T>::min()) + ", " +
                    std::to_string(std::numeric_limits<T>::max()) + "], got " + Shown(*v));
    }
  }
  void Read(const char* key, std::vector<std::string>* out) const {
    const Json* v = Find(key, &Json::is_array, "a list of strings");
    if (v == nullptr) return;
    std::vector<std::string> values;
    for (const Json& e : *v) {
      if (!e.is_string()) return Fail(key, "expected a list of strings, got " + Shown(*v));
      values.push_back(e.get<std::string>());
    }
    *out = std::move(values);
  }
  void Read(const char* key, std::vector<int>* out) const {
    const Json* v = Find(key, &Json::is_array, "a list of integers");
    if (v == nullptr) return;
    std::vector<int> values(v->size());
    for (size_t k = 0; k < values.size(); ++k) {
      if (!ToInteger((*v)[k], &values[k])) {
        return Fail(key, "expected a list of integers, got " + Shown(*v));
      }
    }
    *out = std::move(values);
  }
  // A name from the enum's table.
  template <class E, size_t N>
  void Read(const char* key, const EnumName<E> (&names)[N], E* out) const {
    std::string text;
    Read(key, &text);
    if (!status_->ok()) return;
    Result<E> value = ParseNamed(names, text, Path(key));
    if (value.ok()) {
      *out = *value;
    } else {
      *status_ = value.status();
    }
  }
  // A string converted by `parse`, whose error (its flag prefix dropped) is
  // reported under the key.
  void ReadText(const char* key, const std::function<Status(const std::string&)>& parse) const {
    std::string text;
    Read(key, &text);
    if (!status_->ok()) return;
    if (Status s = parse(text); !s.ok()) Fail(key, WithoutField(s.message()));
  }

  void Fail(const char* key, const std::string& message) const {
    if (status_->ok()) *status_ = Status::InvalidArgument(Path(key) + ": " + message);
  }

 private:
  std::string Path(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  // The value of `key`, or nullptr (an error is recorded, or was before).
  const Json* Find(const char* key) const {
    if (json_ == nullptr || !status_->ok()) return nullptr;
    const auto it = json_->find(key);
    if (it != json_->end()) return &*it;
    Fail(key, "missing");
    return nullptr;
  }
  // The same, REQUIRED to pass `is` (else "expected <what>").
  const Json* Find(const char* key, bool (Json::*is)() const noexcept, const char* what) const {
    const Json* v = Find(key);
    if (v != nullptr && !(v->*is)()) {
      Fail(key, std::string("expected ") + what + ", got " + Shown(*v));
      return nullptr;
    }
    return v;
  }

  template <std::integral T>
  static bool ToInteger(const Json& v, T* out) {
    const auto fits = [out](auto x) {
      if (!std::in_range<T>(x)) return false;
      *out = static_cast<T>(x);
      return true;
    };
    if (v.is_number_unsigned()) return fits(v.get<uint64_t>());
    return v.is_number_integer() && fits(v.get<int64_t>());
  }

  // A value as it reads in the file, shortened for a message.
  static std::string Shown(const Json& v) {
    std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
  }

  const Json* json_;
  std::string path_;
  Status* status_;
};

Json FormatToJson(const RatingsFormat& f) {
  std::vector<std::string> columns;
  for (RatingsColumn c : f.columns) columns.emplace_back(NameOf(kRatingsColumnNames, c));
  return {{"auto_separator", f.auto_separator},
          {"separator", f.separator},
          {"header", NameOf(kHeaderModeNames, f.header)},
          {"columns", columns}};
}

void FormatFromJson(const FieldReader& r, RatingsFormat* f) {
  r.Read("auto_separator", &f->auto_separator);
  r.Read("separator", &f->separator);
  r.Read("header", kHeaderModeNames, &f->header);
  std::vector<std::string> names;
  r.Read("columns", &names);
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ",") + name;
  if (Status s = ParseColumnsFlag(list, f); !s.ok()) r.Fail("columns", WithoutField(s.message()));
}

}  // namespace

Json ExperimentConfigToJson(const ExperimentConfig& x) {
  Json j = {
      {"data",
       {{"dataset", x.data.dataset},
        {"data_dir", x.data.data_dir},
        {"format", FormatToJson(x.data.format)},
        {"ids", NameOf(kIdPolicyNames, x.data.ids)},
        {"duplicates", NameOf(kDuplicatePolicyNames, x.data.duplicates)},
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
        {"bpr_loss", NameOf(kBprLossNames, x.train.bpr_loss)},

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
  // Fields added for mtrec's own recipe are written only when set, so that a
  // run of the original's model keeps the configuration it always had.
  if (x.model.rating_biases) j["model"]["rating_biases"] = true;
  if (x.train.negatives != 1) j["train"]["negatives"] = x.train.negatives;
  if (x.train.rating_l2 != 0) j["train"]["rating_l2"] = x.train.rating_l2;
  if (x.early_stopping.per_head) j["early_stopping"]["per_head"] = true;
  if (x.early_stopping.refit) j["early_stopping"]["refit"] = true;
  return j;
}

Status ExperimentConfigFromJson(const Json& json, ExperimentConfig* config) {
  if (!json.is_object()) {
    return Status::InvalidArgument("expected the configuration as a JSON object");
  }
  ExperimentConfig x = *config;
  Status status;
  const FieldReader root(&json, "", &status);

  const FieldReader d = root.Object("data");
  d.Read("dataset", &x.data.dataset);
  d.Read("data_dir", &x.data.data_dir);
  FormatFromJson(d.Object("format"), &x.data.format);
  d.Read("ids", kIdPolicyNames, &x.data.ids);
  d.Read("duplicates", kDuplicatePolicyNames, &x.data.duplicates);
  d.Read("test_fraction", &x.test_fraction);
  d.Read("validation_fraction", &x.validation_fraction);
  for (const auto& [key, seed] : {std::pair{"split_seed", kOriginalSplitSeed},
                                  std::pair{"validation_seed", kValidationSplitSeed}}) {
    uint32_t value = seed;
    d.Read(key, &value);
    if (value != seed) {
      d.Fail(key, "expected " + std::to_string(seed) + " (mtrec's fixed split seed), got " +
                      std::to_string(value));
    }
  }

  const FieldReader m = root.Object("model");
  m.Read("num_users", &x.model.num_users);
  m.Read("num_items", &x.model.num_items);
  m.Read("embedding_dim", &x.model.embedding_dim);
  m.Read("hidden_layers", &x.model.hidden_layers);
  m.Read("shared_embeddings", &x.model.shared_embeddings);
  m.Read("user_bias", &x.model.user_bias);
  m.ReadAdded("rating_biases", &x.model.rating_biases);

  const FieldReader t = root.Object("train");
  OptimizerConfig& opt = x.train.optimizer;
  t.Read("epochs", &x.epochs);
  t.Read("factorization_weight", &x.train.factorization_weight);
  t.Read("regression_weight", &x.train.regression_weight);
  t.Read("bpr_loss", kBprLossNames, &x.train.bpr_loss);
  t.ReadAdded("negatives", &x.train.negatives);
  t.ReadAdded("rating_l2", &x.train.rating_l2);
  t.Read("batch_size", &x.train.batch_size);
  t.ReadText("optimizer", [&](const std::string& s) {
    MTREC_ASSIGN_OR_RETURN(opt.kind, ParseOptimizerKind(s));
    return Status::Ok();
  });
  t.Read("learning_rate", &opt.learning_rate);
  t.Read("beta1", &opt.beta1);
  t.Read("beta2", &opt.beta2);
  t.Read("eps", &opt.eps);
  t.Read("l2", &opt.weight_decay);
  t.Read("seed", &x.train.seed);
  t.Read("init_weights", &x.init_weights);

  const FieldReader e = root.Object("early_stopping");
  e.ReadText("metric", [&](const std::string& s) {
    if (s == MetricName(Metric::kNone)) {
      x.early_stopping.metric = Metric::kNone;
      return Status::Ok();
    }
    MTREC_ASSIGN_OR_RETURN(x.early_stopping.metric, ParseMetric(s, "early_stopping"));
    return Status::Ok();
  });
  e.Read("patience", &x.early_stopping.patience);
  e.ReadAdded("per_head", &x.early_stopping.per_head);
  e.ReadAdded("refit", &x.early_stopping.refit);

  if (!status.ok()) return status;
  *config = std::move(x);
  return Status::Ok();
}

}  // namespace mtrec
