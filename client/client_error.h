#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "common/assert.h"
#include "common/error_code.h"
#include "common/types.h"
#include "proto/protocol_version.h"

namespace quokka::client {

// Whether a failed operation may still have taken effect.
enum class Outcome : uint8_t {
  // It certainly did not happen: safe to retry, or to give up, without
  // reading anything first.
  kDefinite,
  // It may have happened (for example a write whose request reached a node
  // before the deadline passed). Re-read before acting on either outcome.
  kIndeterminate,
};

// Why an operation failed, as the client saw it in the end. The code is the
// protocol's closed set (a node's answer, or the client's own verdict, such
// as TIMEOUT or TOO_LARGE before sending).
struct ClientError {
  ErrorCode code = ErrorCode::kTimeout;
  std::string message;
  Outcome outcome = Outcome::kIndeterminate;
  // The endpoint ("host:port") whose answer or silence ended the operation;
  // empty when the client refused it before choosing one.
  std::string endpoint;
  // UNSUPPORTED_VERSION from a node: the versions that node speaks.
  // Empty range ({0, 0}) otherwise.
  proto::ProtocolVersionRange supported_versions{};
  // CAS_MISMATCH: the key's mod_revision at the node (0 = absent).
  Revision actual_mod_revision;
  // Attempts made, including the last one; 0 when nothing was sent.
  uint32_t attempts = 0;

  bool definite() const { return outcome == Outcome::kDefinite; }
  // "NOT_LEADER (definite) from 127.0.0.1:7001: ..."; one line, for logs and
  // the command line.
  std::string to_string() const;
};

// An error with only its code, message and outcome set.
ClientError make_client_error(ErrorCode code, std::string message,
                              Outcome outcome = Outcome::kDefinite);

// Either the operation's result or the error that ended it.
template <typename T>
class [[nodiscard]] ClientResult {
 public:
  ClientResult(T value) : state_(std::move(value)) {}           // NOLINT
  ClientResult(ClientError error) : state_(std::move(error)) {}  // NOLINT

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return is_ok(); }

  const T& value() const& {
    QUOKKA_ASSERT(is_ok(), "value() on an error: {}", error().to_string());
    return std::get<T>(state_);
  }
  T& value() & {
    QUOKKA_ASSERT(is_ok(), "value() on an error: {}", error().to_string());
    return std::get<T>(state_);
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const ClientError& error() const {
    QUOKKA_ASSERT(!is_ok(), "error() on a result that holds a value");
    return std::get<ClientError>(state_);
  }

 private:
  std::variant<T, ClientError> state_;
};

}  // namespace quokka::client
