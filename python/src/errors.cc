#include "errors.h"

#include <Python.h>
#include <pybind11/pybind11.h>

#include <string_view>

#include "mtrec/config_schema.h"

namespace py = pybind11;

namespace mtrec::python {

namespace {

[[noreturn]] void Raise(PyObject* type, const std::string& message) {
  PyErr_SetString(type, message.c_str());
  throw py::error_already_set();
}

}  // namespace

std::string PythonMessage(const std::string& message) {
  const size_t end = message.find(':');
  if (end == std::string::npos) return message;
  const std::string_view word = std::string_view(message).substr(0, end);
  if (const ConfigField* f = FindConfigField(word); f != nullptr && f->python != nullptr) {
    return f->python + message.substr(end);
  }
  if (word == "backend") return "device" + message.substr(end);  // ModelOptions::backend
  return message;
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
    default:
      throw Error(message);
  }
}

void ThrowKeyError(const std::string& message) { Raise(PyExc_KeyError, message); }

}  // namespace mtrec::python
