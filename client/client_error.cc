#include "client/client_error.h"

#include <fmt/format.h>

namespace quokka::client {

ClientError make_client_error(ErrorCode code, std::string message,
                              Outcome outcome) {
  ClientError error;
  error.code = code;
  error.message = std::move(message);
  error.outcome = outcome;
  return error;
}

std::string ClientError::to_string() const {
  std::string text = fmt::format(
      "{} ({})", error_code_name(code),
      outcome == Outcome::kDefinite ? "definite: did not happen"
                                    : "indeterminate: may have happened");
  if (!endpoint.empty()) text += fmt::format(" from {}", endpoint);
  text += ": ";
  text += message;
  return text;
}

}  // namespace quokka::client
