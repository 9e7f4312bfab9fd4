#pragma once

#include <cstdint>
#include <string>

#include "common/types.h"
#include "server/consensus/inflights.h"

namespace quokka::consensus {

// How the leader sends to one follower (etcd-raft's progress states).
enum class ReplicationState : uint8_t {
  // The leader does not know where the follower's log ends: one append at a
  // time, then wait for the answer (or a heartbeat) before the next.
  kProbe,
  // The follower's log is known to match through `match`: appends stream,
  // up to the Inflights window.
  kReplicate,
  // The follower needs a snapshot; nothing else is sent until it reports.
  kSnapshot,
};

std::string_view replication_state_name(ReplicationState state);

// The leader's view of one follower's log (Raft Figure 2's nextIndex and
// matchIndex, plus flow control).
struct Progress {
  Progress(LogIndex next_index, uint64_t inflight_messages_max,
           uint64_t inflight_bytes_max)
      : next(next_index), inflights(inflight_messages_max, inflight_bytes_max) {}

  // Invariant: match < next. Everything through `match` is known to be on
  // the follower's disk; `next` is the next entry to send.
  LogIndex match;
  LogIndex next;
  ReplicationState state = ReplicationState::kProbe;
  // kProbe: an append went out and no answer (nor heartbeat response) came
  // back yet, so the next one waits.
  bool probe_sent = false;
  // kSnapshot: the index of the snapshot being sent, and the ticks since;
  // after an election timeout without an answer the leader probes again,
  // so a lost snapshot message cannot stall the follower forever.
  LogIndex pending_snapshot;
  uint64_t snapshot_ticks = 0;
  // The highest commit index sent to the follower, so that a follower that
  // acknowledged after the commit moved learns it without waiting for the
  // next heartbeat.
  LogIndex sent_commit;
  // The leader's tick when it last heard from this follower, for
  // CheckQuorum (Raft thesis §6.2).
  uint64_t last_heard_tick = 0;
  bool is_learner = false;
  Inflights inflights;

  void become_probe();
  void become_replicate();
  void become_snapshot(LogIndex snapshot_index);

  // An accepting append response for `index`: raises match and next.
  // Returns false when the response is stale (nothing changed).
  bool maybe_update(LogIndex index);
  // Records an append of entries through `last_index` just sent.
  void sent_entries(LogIndex last_index, uint64_t bytes);
  // A rejection of the append at `rejected` with the follower's hint of
  // where to try next. Returns false when the rejection is stale.
  bool maybe_decrease_to(LogIndex rejected, LogIndex next_to_try);
  // No more appends to this follower now: probing and waiting, snapshotting,
  // or the window is full.
  bool is_paused() const;

  std::string describe() const;
};

}  // namespace quokka::consensus
