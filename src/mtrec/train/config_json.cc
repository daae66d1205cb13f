#include "mtrec/train/config_json.h"

#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "mtrec/config_schema.h"
#include "mtrec/core/config_names.h"
#include "mtrec/core/enum_names.h"
#include "mtrec/data/ratings_format.h"

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
  void Read(const char* key, std::vector<double>* out) const {
    const Json* v = Find(key, &Json::is_array, "a list of numbers");
    if (v == nullptr) return;
    std::vector<double> values;
    for (const Json& e : *v) {
      if (!e.is_number()) return Fail(key, "expected a list of numbers, got " + Shown(*v));
      values.push_back(e.get<double>());
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

// The key of a schema field's path ("train.l2" -> "l2"), and its object's
// ("train"; "" for the root).
std::pair<std::string, std::string> SplitPath(const char* path) {
  const std::string p = path;
  const size_t dot = p.rfind('.');
  if (dot == std::string::npos) return {"", p};
  return {p.substr(0, dot), p.substr(dot + 1)};
}

// Reads `field` (its key `key` in `r`'s object) into `x`.
void ReadField(const FieldReader& r, const std::string& key, const ConfigField& field,
               ExperimentConfig* x) {
  const char* k = key.c_str();
  std::visit(
      [&](const auto& access) {
        using A = std::decay_t<decltype(access)>;
        if constexpr (std::is_same_v<A, ChoiceRef>) {
          r.ReadText(k, [&](const std::string& s) { return access.set(*x, s); });
        } else if constexpr (std::is_same_v<A, FixedValue>) {
          uint32_t value = access.value;
          r.Read(k, &value);
          if (value != access.value) {
            r.Fail(k, "expected " + std::to_string(access.value) +
                          " (mtrec's fixed split seed), got " + std::to_string(value));
          }
        } else if (field.json_form == JsonForm::kAdded) {
          r.ReadAdded(k, &access.of(*x));
        } else {
          r.Read(k, &access.of(*x));
        }
      },
      field.access);
}

}  // namespace

Json ExperimentConfigToJson(const ExperimentConfig& x) {
  Json j = {
      {"data",
       {{"dataset", x.data.dataset},
        {"data_dir", x.data.data_dir},
        {"format", FormatToJson(x.data.format)},
        {"ids", NameOf(kIdPolicyNames, x.data.ids)},
        {"duplicates", NameOf(kDuplicatePolicyNames, x.data.duplicates)}}},
      {"model", Json::object()},
      {"train", Json::object()},
      {"early_stopping", Json::object()},
  };
  // The version-1 keys, then the fields added for mtrec's own recipe, written
  // only when set, so that a run of the original's model keeps the
  // configuration it always had.
  static const ExperimentConfig defaults;
  const auto as_json = [](const auto& v) { return Json(v); };
  for (const JsonForm form : {JsonForm::kAlways, JsonForm::kAdded}) {
    for (const ConfigField& f : ConfigFields()) {
      if (f.json_form != form) continue;
      Json value = VisitValue(f, x, as_json);
      if (form == JsonForm::kAdded && value == VisitValue(f, defaults, as_json)) continue;
      const auto [object, key] = SplitPath(f.json);
      j[object][key] = std::move(value);
    }
  }
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
  for (const ConfigField& f : ConfigFields()) {
    if (f.json_form == JsonForm::kNotWritten) continue;
    const auto [object, key] = SplitPath(f.json);
    ReadField(root.Object(object.c_str()), key, f, &x);
  }

  if (!status.ok()) return status;
  *config = std::move(x);
  return Status::Ok();
}

}  // namespace mtrec
