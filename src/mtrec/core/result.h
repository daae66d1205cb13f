// Result<T>: a value or the Status that explains why there is none.
// (std::expected needs C++23; g++ 12 builds this project as C++20.)
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "mtrec/core/status.h"

namespace mtrec {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result from an OK Status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace mtrec

// Declares `lhs` from a Result-returning `expr`, or returns its Status.
#define MTREC_CONCAT_INNER_(a, b) a##b
#define MTREC_CONCAT_(a, b) MTREC_CONCAT_INNER_(a, b)
#define MTREC_ASSIGN_OR_RETURN(lhs, expr) \
  MTREC_ASSIGN_OR_RETURN_IMPL_(MTREC_CONCAT_(mtrec_result_, __LINE__), lhs, expr)
#define MTREC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
