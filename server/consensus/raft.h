#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/deterministic_random.h"
#include "common/lamport_clock.h"
#include "common/status.h"
#include "common/types.h"
#include "server/consensus/conf_state.h"
#include "server/consensus/log.h"
#include "server/consensus/log_storage.h"
#include "server/consensus/message.h"
#include "server/consensus/progress.h"
#include "server/consensus/raft_options.h"
#include "server/consensus/read_index.h"
#include "server/consensus/ready.h"

namespace quokka::consensus {

// Raft (Ongaro & Ousterhout 2014, and Ongaro's thesis) as a deterministic
// state machine in the shape of etcd-raft: no sockets, disk, threads, clocks
// or hidden randomness. Inputs are method calls (tick, step, propose,
// read_index, transfer_leadership, propose_conf_change); the output is a
// Ready (see ready.h for the order in which to act on it), acknowledged with
// advance(). The same inputs in the same order give the same outputs.
//
// Not thread-safe: one thread drives it.
class Raft {
 public:
  // Starts from what `storage` holds: hard state, snapshot configuration
  // and log. `storage` must outlive the Raft and only change as the Readies
  // say.
  Raft(const RaftOptions& options, const LogStorage& storage);

  // One logical tick of the monotonic clock.
  void tick();

  // Delivers a message from a peer. Messages for another node, from an
  // older term or otherwise stale are dropped; step never fails.
  void step(const Message& message);

  // Appends commands to the log. Leader only: NOT_LEADER (naming the leader
  // when known) otherwise, and during a leadership transfer; OVERLOADED when
  // the uncommitted bytes would exceed uncommitted_bytes_max. Returns the
  // position of the last entry; the commands are at consecutive indexes
  // ending there. They are durable once they come back as committed entries
  // at the same position; an entry at that index with another term means
  // they were lost to a new leader.
  Result<LogPosition> propose(const std::vector<std::string>& commands);

  // Asks for a linearizable read (Raft thesis §6.4). The answer is a
  // ReadState with this context in a later Ready, after a heartbeat round
  // that started after this call confirmed leadership, or the context in
  // Ready::dropped_reads. NOT_LEADER when no leader is known; OVERLOADED
  // when pending_reads_max reads are waiting.
  Status read_index(std::string context);

  // Hands leadership to `to`, a voter (thesis §3.10): the leader stops
  // taking proposals, brings `to` up to date, then tells it to campaign.
  // Abandoned after an election timeout.
  Status transfer_leadership(NodeId to);

  // Proposes one membership change (thesis §4.1). It takes effect on every
  // node as soon as its entry is in the log. Refused (OVERLOADED) while an
  // earlier change is uncommitted or before the leader has committed an
  // entry of its term; INVALID_ARGUMENT when it does not apply.
  Result<LogPosition> propose_conf_change(const ConfChange& change);

  // Campaigns now (tests, and a node told to start an election).
  void campaign_now();

  // The leader could not deliver the snapshot to `to`; it will probe again.
  void report_snapshot_failure(NodeId to);
  // The peer is unreachable; the leader stops streaming to it until it
  // answers again.
  void report_unreachable(NodeId to);

  bool has_ready() const;
  Ready ready();
  // Acknowledges the oldest outstanding Ready: it was persisted, its
  // messages sent, its committed entries applied.
  void advance(const Ready& ready);

  // Checks the invariants below and aborts on a violation (STYLE §6). Run
  // after every tick() and step() when options.check_invariants.
  void check_invariants();

  NodeId id() const { return id_; }
  Term term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId leader() const { return leader_; }
  Role role() const { return role_; }
  LogIndex committed() const { return log_.committed(); }
  LogIndex applied() const { return log_.applied(); }
  LogIndex last_index() const { return log_.last_index(); }
  const ConfState& conf_state() const { return conf_; }
  uint64_t lamport_time() const { return clock_.now(); }
  NodeId transfer_target() const { return transfer_target_; }
  // Bytes of proposed entries not yet committed (against
  // uncommitted_bytes_max), read-index requests waiting (against
  // pending_reads_max), and read-index rounds this node has started.
  uint64_t uncommitted_bytes() const { return uncommitted_bytes_; }
  uint64_t pending_read_indexes() const { return reads_.pending(); }
  uint64_t read_index_rounds_started() const { return reads_.next_round_id - 1; }
  // The leader's view of a member; nullptr when not leader or not a member.
  const Progress* progress(NodeId id) const;
  // "id=1 term=3 role=leader leader=1 commit=7 applied=7 last=7"
  std::string describe() const;

 private:
  // Role changes: the only places role_ is assigned (STYLE §3).
  void become_follower(Term term, NodeId leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void reset(Term term);

  // raft_election.cc
  enum class CampaignKind : uint8_t { kPreElection, kElection, kTransfer };
  void campaign(CampaignKind kind);
  bool promotable() const;
  void handle_vote_request(const Message& message);
  void handle_vote_response(const Message& message);
  bool step_for_term(const Message& message);
  void tick_election();
  void tick_heartbeat();
  bool quorum_active() const;

  // raft_replication.cc
  void step_leader(const Message& message);
  void step_candidate(const Message& message);
  void step_follower(const Message& message);
  void append_entries(std::vector<LogEntry> entries);
  void broadcast_append();
  void request_broadcast() { broadcast_requested_ = true; }
  void broadcast_heartbeat(const std::string& context);
  bool maybe_send_append(NodeId to, bool send_if_empty);
  void send_heartbeat(NodeId to, const std::string& context);
  bool send_snapshot(NodeId to, Progress& progress);
  void handle_append(const Message& message);
  void handle_heartbeat(const Message& message);
  void handle_snapshot(const Message& message);
  void handle_append_response(const Message& message);
  void handle_heartbeat_response(const Message& message);
  bool maybe_commit();
  void commit_advanced();
  void after_persisted(LogIndex stable_index);
  bool committed_in_current_term() const;

  // raft_read_index.cc
  void handle_read_index_request(const Message& message);
  void start_read_round();
  void release_acknowledged_rounds();
  void release_read_requests(std::vector<ReadRequest> requests, LogIndex index);
  void drop_all_reads();
  void tick_reads();

  // raft_membership.cc
  void rebuild_conf_state();
  void note_appended(const std::vector<LogEntry>& entries);
  void apply_conf_to_progress();

  void send(Message message);
  void add_progress(NodeId id, bool is_learner);
  SoftState soft_state() const { return {leader_, role_}; }
  HardState hard_state() const { return {term_, vote_, log_.committed()}; }

  RaftOptions options_;
  NodeId id_;
  const LogStorage& storage_;
  Log log_;
  DeterministicRandom random_;
  LamportClock clock_;

  Term term_;
  NodeId vote_;
  NodeId leader_;
  Role role_ = Role::kFollower;

  // The configuration in force: the snapshot's plus every kConfChange entry
  // in the log (thesis §4.1: a server uses the latest configuration in its
  // log, committed or not). conf_index_ is the last such entry, 0 if none.
  ConfState conf_;
  LogIndex conf_index_;

  // Leader only: every member's progress, this node's included.
  std::map<NodeId, Progress> progress_;
  // Candidates: the votes received this election.
  std::map<NodeId, bool> votes_;

  // Ticks since this Raft was made; the leader's clock for CheckQuorum.
  uint64_t ticks_ = 0;
  uint64_t election_elapsed_ = 0;
  uint64_t heartbeat_elapsed_ = 0;
  uint64_t randomized_election_timeout_ = 0;
  NodeId transfer_target_;
  uint64_t uncommitted_bytes_ = 0;

  ReadIndexState reads_;

  std::vector<Message> messages_;
  std::vector<Message> messages_after_persist_;
  bool broadcast_requested_ = false;
  std::vector<ReadState> read_states_;
  std::vector<std::string> dropped_reads_;

  // What the Readies handed out so far said, to know what changed.
  SoftState last_soft_state_;
  HardState last_hard_state_;
  struct Outstanding {
    std::optional<LogPosition> last_entry;
    std::optional<LogIndex> snapshot_index;
    LogIndex applying;
  };
  std::deque<Outstanding> outstanding_;

  // For check_invariants(): what was seen before, to check monotonicity.
  Term checked_term_;
  LogIndex checked_commit_;
  NodeId checked_leader_;
};

}  // namespace quokka::consensus
