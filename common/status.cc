#include "common/status.h"

namespace quokka {

std::string Status::to_string() const {
  std::string text(error_code_name(code_));
  if (!message_.empty()) {
    text += ": ";
    text += message_;
  }
  return text;
}

}  // namespace quokka
