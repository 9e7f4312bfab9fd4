#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "common/assert.h"
#include "common/error_code.h"

namespace quokka {

// An expected operating error (bad input, overload, I/O failure) as a value:
// the protocol's code plus a message for humans that names what was wrong.
// Broken invariants are not Statuses; they are QUOKKA_ASSERT failures.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "CORRUPT: blob 1f2e... does not match its hash"
  std::string to_string() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    QUOKKA_ASSERT(!std::get<Status>(state_).is_ok(),
                  "a Result holding a Status must hold an error");
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return is_ok(); }

  const T& value() const& {
    QUOKKA_ASSERT(is_ok(), "value() on an error: {}", status().to_string());
    return std::get<T>(state_);
  }
  T& value() & {
    QUOKKA_ASSERT(is_ok(), "value() on an error: {}", status().to_string());
    return std::get<T>(state_);
  }
  T&& value() && {
    QUOKKA_ASSERT(is_ok(), "value() on an error: {}", status().to_string());
    return std::get<T>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; OK when the Result holds a value.
  Status status() const {
    if (is_ok()) return Status::ok();
    return std::get<Status>(state_);
  }

 private:
  std::variant<T, Status> state_;
};

}  // namespace quokka
