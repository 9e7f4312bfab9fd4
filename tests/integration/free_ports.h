#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace quokka::integration {

// `count` distinct TCP ports on 127.0.0.1 that were free a moment ago: the
// kernel picks each by binding port 0, and all stay bound until every one is
// chosen, so none repeats. Another process may still take one before the
// caller binds it; ProcessCluster notices ("cannot listen") and picks again.
std::vector<uint16_t> pick_free_ports(size_t count);

}  // namespace quokka::integration
