#include "config/config_errors.h"

#include <fmt/format.h>

namespace quokka {

Status ConfigErrors::to_status() const {
  if (lines_.empty()) return Status::ok();
  return Status(ErrorCode::kInvalidArgument, fmt::format("{}", fmt::join(lines_, "\n")));
}

}  // namespace quokka
