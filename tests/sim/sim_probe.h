#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/node/node_probe.h"

namespace quokka::sim {

// What the simulator counts of what the nodes report (one probe for the
// whole cluster): it goes into the run summary, so a person can see that a
// run exercised elections, snapshots and blob collection at all.
class SimProbe final : public node::NodeProbe {
 public:
  void queue_refused(std::string_view) override { ++queue_refusals; }
  void leader_changed() override { ++leader_changes; }
  void write_forwarded() override { ++writes_forwarded; }
  void entries_applied(uint64_t count) override { entries += count; }
  void snapshot_sent() override { ++snapshots_sent; }
  void snapshot_installed() override { ++snapshots_installed; }
  void blobs_collected(uint64_t count) override { blobs += count; }

  std::string describe() const;

  uint64_t queue_refusals = 0;
  uint64_t leader_changes = 0;
  uint64_t writes_forwarded = 0;
  uint64_t entries = 0;
  uint64_t snapshots_sent = 0;
  uint64_t snapshots_installed = 0;
  uint64_t blobs = 0;
};

}  // namespace quokka::sim
