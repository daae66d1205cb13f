#include "errors.h"

#include <Python.h>
#include <pybind11/pybind11.h>

#include <cctype>
#include <string_view>
#include <utility>

#include "mtrec/config_schema.h"

namespace py = pybind11;

namespace mtrec::python {

namespace {

[[noreturn]] void Raise(PyObject* type, const std::string& message) {
  PyErr_SetString(type, message.c_str());
  throw py::error_already_set();
}

// The CLI flags that library messages name and that Python takes as an
// argument of another name or outside the schema (load_dataset's, fit's,
// save's and recommend_for_ratings' arguments).
constexpr std::pair<std::string_view, std::string_view> kFlagArguments[] = {
    {"dataset", "dataset"},
    {"data_dir", "data_dir"},
    {"format", "format"},
    {"columns", "columns"},
    {"remap_ids", "remap_ids"},
    {"duplicates", "duplicates"},
    {"max_steps", "max_steps"},
    {"early_stopping", "early_stopping"},
    {"patience", "patience"},
    {"overwrite", "overwrite"},
    {"fold_in_learning_rate", "learning_rate"},
    {"fold_in_steps", "steps"},
};

// The Python argument of a `mtrec train` flag ("no_shared_embeddings" ->
// "shared_embeddings=False"), or "" when Python has none.
std::string ArgumentOfFlag(std::string_view flag) {
  for (const ConfigField& f : ConfigFields()) {
    if (f.flag == nullptr || f.python == nullptr) continue;
    if (flag == f.flag) return f.python;
    if (f.flag_form == FlagForm::kSwitchPair && flag.starts_with("no_") &&
        flag.substr(3) == f.flag) {
      return std::string(f.python) + "=False";
    }
  }
  for (const auto& [cli, python] : kFlagArguments) {
    if (flag == cli) return std::string(python);
  }
  return "";
}

// `message` with each "--flag" that Python takes as an argument spelled as
// that argument.
std::string WithPythonArguments(const std::string& message) {
  std::string out;
  size_t k = 0;
  for (size_t dash = message.find("--"); dash != std::string::npos; dash = message.find("--", k)) {
    size_t end = dash + 2;
    while (end < message.size() &&
           (std::islower(static_cast<unsigned char>(message[end])) ||
            std::isdigit(static_cast<unsigned char>(message[end])) || message[end] == '_')) {
      ++end;
    }
    const std::string argument =
        ArgumentOfFlag(std::string_view(message).substr(dash + 2, end - dash - 2));
    out += message.substr(k, dash - k);
    out += argument.empty() ? message.substr(dash, end - dash) : argument;
    k = end;
  }
  return out + message.substr(k);
}

}  // namespace

std::string PythonMessage(const std::string& text) {
  const std::string message = WithPythonArguments(text);
  const size_t end = message.find(':');
  if (end == std::string::npos) return message;
  const std::string_view word = std::string_view(message).substr(0, end);
  if (const ConfigField* f = FindConfigField(word); f != nullptr && f->python != nullptr) {
    return f->python + message.substr(end);
  }
  if (word == "backend") return "device" + message.substr(end);  // ModelOptions::backend
  return message;
}

bool IsOutOfMemory(const Status& status) {
  return status.code() == Status::Code::kUnavailable &&
         (status.message().find("out of memory") != std::string::npos ||
          status.message().find(" of memory, more than ") != std::string::npos);
}

void ThrowIfError(const Status& status) {
  if (status.ok()) return;
  const std::string message = PythonMessage(status.message());
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      Raise(PyExc_ValueError, message);
    case Status::Code::kNotFound:
      Raise(PyExc_FileNotFoundError, message);
    case Status::Code::kCancelled:
      Raise(PyExc_KeyboardInterrupt, message);
    case Status::Code::kUnavailable:
      if (IsOutOfMemory(status)) Raise(PyExc_MemoryError, message);
      throw Error(message);
    default:
      throw Error(message);
  }
}

void ThrowKeyError(const std::string& message) { Raise(PyExc_KeyError, message); }

}  // namespace mtrec::python
