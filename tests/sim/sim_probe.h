#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>

#include "server/node/node_probe.h"

namespace quokka::sim {

// What the simulator counts of what the nodes report (one probe for the
// whole cluster): it goes into the run summary, so a person can see that a
// run exercised elections, snapshots and blob collection at all.
class SimProbe final : public node::NodeProbe {
 public:
  void queue_refused(std::string_view queue) override {
    ++queue_refusals;
    ++refusals_by_queue[std::string(queue)];
  }
  void queue_waited(std::string_view queue, uint64_t) override {
    ++queue_items_left[std::string(queue)];
  }
  void proposal_committed() override { ++proposals_committed; }
  void proposal_failed() override { ++proposals_failed; }
  void read_index_failed() override { ++read_index_failures; }
  void leader_changed() override { ++leader_changes; }
  void write_forwarded() override { ++writes_forwarded; }
  void entries_applied(uint64_t count) override { entries += count; }
  void snapshot_sent() override { ++snapshots_sent; }
  void snapshot_installed() override { ++snapshots_installed; }
  void blobs_collected(uint64_t count) override { blobs += count; }
  void values_requested(uint64_t count) override { values_requested_total += count; }
  // One probe sees every node, and a term has one leader, so (to, term,
  // index) names one push of one leader.
  void value_pushed(NodeId to, Term term, LogIndex index, uint64_t) override {
    ++values_pushed;
    if (!pushes_seen.insert({to.value(), term.value(), index.value()}).second) {
      ++values_pushed_again;
    }
  }

  std::string describe() const;

  uint64_t queue_refusals = 0;
  uint64_t leader_changes = 0;
  uint64_t writes_forwarded = 0;
  uint64_t entries = 0;
  uint64_t snapshots_sent = 0;
  uint64_t snapshots_installed = 0;
  uint64_t blobs = 0;
  std::map<std::string, uint64_t> refusals_by_queue;
  // Items that left each queue (taken, answered, expired or evicted).
  std::map<std::string, uint64_t> queue_items_left;
  uint64_t proposals_committed = 0;
  uint64_t proposals_failed = 0;
  uint64_t read_index_failures = 0;
  uint64_t values_pushed = 0;
  // Pushes of a value a leader had already sent the same follower.
  uint64_t values_pushed_again = 0;
  uint64_t values_requested_total = 0;
  std::set<std::tuple<uint64_t, uint64_t, uint64_t>> pushes_seen;
};

}  // namespace quokka::sim
