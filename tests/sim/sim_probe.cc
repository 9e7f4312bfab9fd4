#include "tests/sim/sim_probe.h"

#include <fmt/format.h>

namespace quokka::sim {

std::string SimProbe::describe() const {
  return fmt::format("leader_changes={} applied={} snapshots={}/{} blobs_collected={} "
                     "refusals={} forwarded={}",
                     leader_changes, entries, snapshots_sent, snapshots_installed, blobs,
                     queue_refusals, writes_forwarded);
}

}  // namespace quokka::sim
