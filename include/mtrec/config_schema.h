// The configuration schema: one entry per configuration field (the fields of
// ExperimentConfig, mtrec/config.h, that a user or a file sets), declared once
// in src/mtrec/api/config_schema.cc with its name, type (through its
// accessor), valid range, one-line doc, config.json key, `mtrec train` flag
// and Python keyword. Its default is the struct's (ExperimentConfig{}).
// Validation and its messages, the CLI's flags and --help, the JSON codec,
// the field->flag and field->keyword spelling of messages, Python's keyword
// arguments and their defaults, and the docs' flag table are generated from
// it. Part of the public API (the Python binding reads it).
//
// Adding a knob: its member in mtrec/config.h, one entry in the schema, the
// math that reads it, and the docs' table regenerated (`mtrec help --markdown
// train` between the <!-- flags:train --> lines; a test compares them).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/status.h"

namespace mtrec {

// A field of type T, reached from the whole configuration.
template <class T>
struct FieldRef {
  T& (*of)(ExperimentConfig&);
};
// A field whose values are names (an enum; early stopping's rule, which sets
// two members). `set` fails with InvalidArgument starting with the field name.
struct ChoiceRef {
  const char* (*get)(const ExperimentConfig&);
  Status (*set)(ExperimentConfig&, std::string_view);
  const char* choices;  // as --help shows them: "sigmoid|log"
};
// Not a member: a constant that config.json records for readers and that a
// file must hold (the fixed split seeds).
struct FixedValue {
  uint32_t value;
};
using FieldAccess = std::variant<FieldRef<int>, FieldRef<uint32_t>, FieldRef<double>,
                                 FieldRef<bool>, FieldRef<std::string>, FieldRef<std::vector<int>>,
                                 FieldRef<std::vector<double>>, ChoiceRef, FixedValue>;

// The valid values of a number (of each element of a list): lo..hi, each end
// open or closed. A double must also be finite. Unbounded: no check.
struct ValueRange {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;
};
constexpr ValueRange AtLeast(double lo) { return {lo}; }
constexpr ValueRange Above(double lo) { return {lo, ValueRange{}.hi, true}; }
constexpr ValueRange Closed(double lo, double hi) { return {lo, hi}; }
constexpr ValueRange HalfOpen(double lo, double hi) { return {lo, hi, false, true}; }  // [lo, hi)
constexpr ValueRange Open(double lo, double hi) { return {lo, hi, true, true}; }

// Which Validate() checks the field (the struct that holds it).
enum class ConfigPart { kExperiment, kModel, kTrain, kEarlyStopping };

// How `mtrec train` takes the field.
enum class FlagForm {
  kNoFlag,        // none
  kValue,         // --name VALUE
  kSwitch,        // --name sets true
  kSwitchPair,    // --name sets true, --no_name false
  kOptionalBool,  // --name, --name=BOOL, --name BOOL
};

// How config.json holds the field.
enum class JsonForm {
  kNotWritten,  // not in it (how a run executes, not what it computes)
  kAlways,      // always written and REQUIRED on reading (the version-1 keys)
  kAdded,  // added later: written only when not the default, a missing key reads as the default
};

// One field. An entry names the members it needs (designated initializers);
// the rest keep these defaults: no flag, not in config.json, no Python keyword.
struct ConfigField {
  const char* name;  // as messages name it: "weight_decay: expected ..."
  FieldAccess access;
  ConfigPart part;
  const char* doc;  // one line: --help, the docs' table, Python's docstring
  ValueRange range = {};

  JsonForm json_form = JsonForm::kNotWritten;
  const char* json = nullptr;  // key path: "train.l2"

  FlagForm flag_form = FlagForm::kNoFlag;
  const char* flag = nullptr;  // "l2"; kSwitchPair: also "no_" + flag
  // A text or list flag's value as --help shows it ("DIR", "W[,W...]");
  // numbers show INT or NUM, choices their names.
  const char* metavar = nullptr;
  // Also a flag of `mtrec sweep` (false: train's only; the sweep's grid sets it).
  bool in_sweep = false;
  const char* default_text = nullptr;  // shown as the default instead of the value
  // A value that means "automatic" (threads 0: every hardware thread) and is
  // valid outside the range; the flag refuses it.
  const char* zero_means = nullptr;
  const char* off_doc = nullptr;  // kSwitchPair: --no_<flag>'s doc

  const char* python = nullptr;  // MultitaskModel's keyword
  // Python's default is None, which the library replaces with a value derived
  // from other fields (learning_rate: the optimizer's).
  bool python_derived = false;
};

// Every field, in the order of --help and of config.json's keys within each
// of its objects.
std::span<const ConfigField> ConfigFields();

// The field named `name` (ConfigField::name), or nullptr.
const ConfigField* FindConfigField(std::string_view name);

// Returns visit(value) for the field's value in `config`: an enum's name
// (const char*), a FixedValue's number (uint32_t), else the member (const T&).
// `visit` returns one type for all of them.
template <class Visit>
auto VisitValue(const ConfigField& field, const ExperimentConfig& config, Visit&& visit) {
  auto& c = const_cast<ExperimentConfig&>(config);  // read only: FieldRef's accessor is not const
  return std::visit(
      [&](const auto& access) {
        using A = std::decay_t<decltype(access)>;
        if constexpr (std::is_same_v<A, ChoiceRef>) {
          return visit(access.get(c));
        } else if constexpr (std::is_same_v<A, FixedValue>) {
          return visit(access.value);
        } else {
          return visit(std::as_const(access.of(c)));
        }
      },
      field.access);
}

// The field's value in `config` as flags and --help spell it ("0.001",
// "64,32", "adam", "true").
std::string FieldText(const ConfigField& field, const ExperimentConfig& config);

// OK if the field's value in `config` is in its range; else InvalidArgument
// "<name>: expected ..., got ...".
Status CheckField(const ConfigField& field, const ExperimentConfig& config);

// The range check's words: "an integer in [1, 1000]", "a finite number > 0".
std::string RangeText(const ConfigField& field);

}  // namespace mtrec
