// How the library's Status becomes the Python exception the package documents.
//
//   InvalidArgument        -> ValueError
//   NotFound               -> FileNotFoundError
//   Cancelled              -> KeyboardInterrupt
//   Unavailable, memory    -> MemoryError (IsOutOfMemory)
//   anything else          -> mtrec.Error (a RuntimeError): corrupt files,
//                             I/O errors, an unavailable device
// The message is the library's one line, with its configuration field names
// spelled as the Python arguments are (the schema's keywords,
// mtrec/config_schema.h: hidden_layers -> layers, weight_decay -> l2; and
// backend -> device) and the CLI flags it names as the Python arguments that
// set the same ("--embedding_dim" -> "embedding_dim", "--fold_in_learning_rate"
// -> "learning_rate"; a flag Python has no argument for stays).
//
// REQUIRES: the GIL is held (these raise Python exceptions).
#pragma once

#include <stdexcept>
#include <string>

#include "mtrec/status.h"

namespace mtrec::python {

// The C++ side of mtrec.Error; pybind11 translates it (module.cc registers it).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The message with its leading configuration field named as in Python.
std::string PythonMessage(const std::string& message);

// Whether `status` says that memory ran out: Unavailable with "out of memory"
// (an allocation failed) or "of memory, more than" (the training estimate
// exceeds what the process may use, mtrec/train/memory_estimate.h).
bool IsOutOfMemory(const Status& status);

// Throws the Python exception of a failed status; returns if it is ok.
void ThrowIfError(const Status& status);

// Raises KeyError(message).
[[noreturn]] void ThrowKeyError(const std::string& message);

template <class T>
T ValueOrThrow(Result<T> result) {
  ThrowIfError(result.status());
  return std::move(result).value();
}

}  // namespace mtrec::python
