#include "server/node/state_hash.h"

#include <fmt/format.h>

namespace quokka::node {

std::string StateHash::describe() const {
  return fmt::format("applied={} revision={} digest={}", applied.value(),
                     revision.value(), digest.short_hex());
}

}  // namespace quokka::node
