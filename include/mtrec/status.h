// Status and Result<T>: the outcome of every fallible mtrec call (file I/O,
// parsing, validation). Part of the public API.
//
// The library never prints or exits: every error a user can cause travels back
// as a Status whose message is one line naming the offending file/line/flag and
// what was expected. Only the CLI turns it into stderr text and an exit code.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mtrec {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // a value outside its domain (a flag, a config field)
    kNotFound,         // a file or data set that is not there
    kIOError,          // the OS refused a read or write
    kCorruption,       // a file whose content is malformed
    kUnavailable,      // a capability absent from this build or machine (e.g. GPU)
    kCancelled,        // stopped on request
    kAborted,          // a computation that cannot go on (training diverged)
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {Code::kCancelled, std::move(msg)}; }
  static Status Aborted(std::string msg) { return {Code::kAborted, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message" (no-op on OK).
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    return Status(code_, std::string(context) + ": " + message_);
  }
  // Returns a copy whose message is "message; detail" (no-op on OK).
  Status WithDetail(std::string_view detail) const {
    if (ok()) return *this;
    return Status(code_, message_ + "; " + std::string(detail));
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace mtrec

// Returns from the enclosing function if `expr` yields a non-OK Status.
#define MTREC_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::mtrec::Status mtrec_status_ = (expr);        \
    if (!mtrec_status_.ok()) return mtrec_status_; \
  } while (false)

// Result<T>: a value or the Status that explains why there is none.
// (std::expected needs C++23; mtrec builds as C++20.)
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
