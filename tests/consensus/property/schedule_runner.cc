#include "tests/consensus/property/schedule_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/deterministic_random.h"
#include "server/consensus/conf_state.h"
#include "server/consensus/raft.h"
#include "tests/consensus/property/crash_report.h"
#include "tests/consensus/property/event_log.h"
#include "tests/consensus/property/fault_network.h"
#include "tests/consensus/property/simulated_node.h"

namespace quokka::testing::raft_property {
namespace {

using consensus::Message;
using consensus::Raft;
using consensus::Role;

// Messages in flight before the network drops the oldest.
constexpr size_t kInFlightMax = 4096;
// Readies one drain may take, so that a core that never runs out of them
// cannot hang a schedule.
constexpr size_t kDrainReadiesMax = 64;
// The durable logs are compared pairwise this often, and at the end.
constexpr uint64_t kPairwiseIntervalSteps = 32;
// Messages one delivery step may deliver, oldest first.
constexpr uint64_t kDeliverBurstMax = 4;
// A delayed message is held back for up to this many steps.
constexpr uint64_t kDelayStepsMax = 80;
// Liveness phase: passes of "drain every node, deliver every message" per
// round before the round gives up on the network going quiet.
constexpr size_t kSettlePassesMax = 40;

enum class StepKind : uint8_t {
  kTickAll,
  kTickOne,
  kProcessReady,
  kDeliverOldest,
  kDeliverRandom,
  kDrop,
  kDuplicate,
  kDelay,
  kPartition,
  kIsolateLeader,
  kHeal,
  kCrash,
  kCrashMidReady,
  kRestart,
  kPropose,
  kTransferLeadership,
  kReadIndex,
  kCampaign,
  kCompact,
};

std::string_view stage_name(ReadyStage stage) {
  switch (stage) {
    case ReadyStage::kMessagesSent:
      return "after sending messages, before persisting";
    case ReadyStage::kPersisted:
      return "after persisting, before acknowledging";
    case ReadyStage::kAcknowledged:
      return "after acknowledging, before applying";
    case ReadyStage::kApplied:
      return "after applying, before advance";
  }
  return "?";
}

class ScheduleRunner {
 public:
  ScheduleRunner(uint64_t seed, const ScheduleProfile& profile)
      : seed_(seed), profile_(profile), random_(seed), network_(kInFlightMax) {}

  ScheduleOutcome run() {
    CrashReportScope crash_report(seed_, events_);
    set_up();
    const uint64_t steps =
        random_.between(profile_.steps_min, profile_.steps_max);
    for (step_ = 1; step_ <= steps && !checker_.violation(); ++step_) {
      take_step(draw_step());
      check_after_step();
    }
    if (!checker_.violation()) checker_.check_logs_pairwise(nodes_);
    if (!checker_.violation() && profile_.check_liveness) liveness_phase();
    if (!checker_.violation()) checker_.check_logs_pairwise(nodes_);
    return outcome();
  }

 private:
  // ---- set-up --------------------------------------------------------

  void set_up() {
    const size_t node_count =
        profile_.node_count.value_or(random_.chance(1, 2) ? 3 : 5);
    consensus::ConfState initial;
    for (size_t i = 1; i <= node_count; ++i)
      initial.voters.push_back(NodeId(i));

    consensus::RaftOptions options;
    // Short timeouts against the network's latency in steps give many
    // elections and leaders deposed while their entries are in flight.
    static constexpr std::array<uint64_t, 4> kElectionTicks{3, 5, 10, 20};
    options.election_timeout_ticks = profile_.election_timeout_ticks.value_or(
        kElectionTicks[random_.below(kElectionTicks.size())]);
    options.heartbeat_ticks = random_.chance(2, 3) ? 1 : 2;
    options.pre_vote = profile_.pre_vote.value_or(random_.chance(3, 4));
    options.check_quorum = profile_.check_quorum.value_or(random_.chance(3, 4));
    static constexpr std::array<uint64_t, 3> kAppendBytes{1, 64, 1024 * 1024};
    options.append_bytes_max = profile_.append_bytes_max.value_or(
        kAppendBytes[random_.below(kAppendBytes.size())]);
    static constexpr std::array<uint64_t, 3> kInflight{1, 4, 256};
    options.inflight_messages_max = profile_.inflight_messages_max.value_or(
        kInflight[random_.below(kInflight.size())]);
    options.faults = profile_.faults;
    const bool faulty = profile_.faults.vote_twice_in_term ||
                        profile_.faults.commit_older_terms_by_counting;
    options.check_invariants = !faulty;
    const size_t outstanding_max = 1 + random_.below(3);
    const bool durable_state_machine = random_.chance(3, 4);

    for (size_t i = 1; i <= node_count; ++i) {
      nodes_.emplace_back(NodeId(i), initial, options, outstanding_max,
                          durable_state_machine);
    }
    for (SimulatedNode& node : nodes_) {
      node.start(random_.next());
      checker_.check_started(node);
    }
    event(fmt::format(
        "seed={} nodes={} election_timeout={} heartbeat={} pre_vote={} "
        "check_quorum={} append_bytes_max={} inflight_max={} "
        "outstanding_readies_max={} durable_state_machine={}",
        seed_, node_count, options.election_timeout_ticks,
        options.heartbeat_ticks, options.pre_vote, options.check_quorum,
        options.append_bytes_max, options.inflight_messages_max,
        outstanding_max, durable_state_machine));
  }

  // ---- drawing and taking steps --------------------------------------

  StepKind draw_step() {
    const StepWeights& w = profile_.weights;
    const std::array<std::pair<StepKind, uint32_t>, 19> table{{
        {StepKind::kTickAll, w.tick_all},
        {StepKind::kTickOne, w.tick_one},
        {StepKind::kProcessReady, w.process_ready},
        {StepKind::kDeliverOldest, w.deliver_oldest},
        {StepKind::kDeliverRandom, w.deliver_random},
        {StepKind::kDrop, w.drop},
        {StepKind::kDuplicate, w.duplicate},
        {StepKind::kDelay, w.delay},
        {StepKind::kPartition, w.partition},
        {StepKind::kIsolateLeader, w.isolate_leader},
        {StepKind::kHeal, w.heal},
        {StepKind::kCrash, w.crash},
        {StepKind::kCrashMidReady, w.crash_mid_ready},
        {StepKind::kRestart, w.restart},
        {StepKind::kPropose, w.propose},
        {StepKind::kTransferLeadership, w.transfer_leadership},
        {StepKind::kReadIndex, w.read_index},
        {StepKind::kCampaign, w.campaign},
        {StepKind::kCompact, w.compact},
    }};
    // A quiet cluster (nothing in flight, no Ready) mostly waits for time
    // to pass; otherwise faults would strike far more often per tick there
    // than in a busy one.
    if (!applicable(StepKind::kProcessReady) && network_.in_flight() == 0 &&
        random_.chance(3, 4)) {
      return StepKind::kTickAll;
    }
    // Steps that could do nothing now are not drawn, so that every step
    // counts.
    uint64_t total = 0;
    for (const auto& [kind, weight] : table) {
      if (applicable(kind)) total += weight;
    }
    if (total == 0) return StepKind::kTickAll;
    uint64_t pick = random_.below(total);
    for (const auto& [kind, weight] : table) {
      if (!applicable(kind)) continue;
      if (pick < weight) return kind;
      pick -= weight;
    }
    return StepKind::kTickAll;
  }

  bool applicable(StepKind kind) const {
    switch (kind) {
      case StepKind::kProcessReady:
        return std::any_of(
            nodes_.begin(), nodes_.end(), [](const SimulatedNode& node) {
              return node.up() &&
                     (node.outstanding() > 0 || node.raft().has_ready());
            });
      case StepKind::kDeliverOldest:
      case StepKind::kDeliverRandom:
      case StepKind::kDrop:
      case StepKind::kDuplicate:
      case StepKind::kDelay:
        return network_.in_flight() > 0;
      case StepKind::kHeal:
        return network_.partitioned();
      case StepKind::kRestart:
        return live_count() < nodes_.size();
      case StepKind::kIsolateLeader:
      case StepKind::kTransferLeadership:
        return newest_leader_index().has_value();
      case StepKind::kTickAll:
        return true;
      default:
        return live_count() > 0;
    }
  }

  size_t live_count() const {
    return static_cast<size_t>(
        std::count_if(nodes_.begin(), nodes_.end(),
                      [](const SimulatedNode& node) { return node.up(); }));
  }

  void take_step(StepKind kind) {
    switch (kind) {
      case StepKind::kTickAll:
        return tick_all();
      case StepKind::kTickOne:
        return tick_one();
      case StepKind::kProcessReady:
        return process_ready();
      case StepKind::kDeliverOldest: {
        // Usually a message takes far less than a tick to arrive.
        const uint64_t count = random_.between(1, kDeliverBurstMax);
        for (uint64_t i = 0; i < count && network_.in_flight() > 0; ++i) {
          deliver(network_.take_oldest(step_), "deliver");
        }
        return;
      }
      case StepKind::kDeliverRandom:
        return deliver(network_.take_random(random_, step_),
                       "deliver out of order");
      case StepKind::kDrop: {
        const std::optional<Message> dropped = network_.drop_random(random_);
        if (dropped) report_if_snapshot_lost(*dropped);
        return note_message("drop", dropped);
      }
      case StepKind::kDuplicate:
        return note_message("duplicate",
                            network_.duplicate_random(random_, step_));
      case StepKind::kDelay:
        return note_message(
            "delay", network_.delay_random(
                         random_, step_ + random_.between(1, kDelayStepsMax)));
      case StepKind::kPartition:
        return partition_halves();
      case StepKind::kIsolateLeader:
        return isolate_leader();
      case StepKind::kHeal:
        network_.heal();
        return event("heal the network");
      case StepKind::kCrash:
        return crash();
      case StepKind::kCrashMidReady:
        return crash_mid_ready();
      case StepKind::kRestart:
        return restart();
      case StepKind::kPropose:
        return propose();
      case StepKind::kTransferLeadership:
        return transfer_leadership();
      case StepKind::kReadIndex:
        return read_index();
      case StepKind::kCampaign:
        return campaign();
      case StepKind::kCompact:
        return compact();
    }
  }

  void tick_all() {
    for (SimulatedNode& node : nodes_) {
      if (node.up()) node.raft().tick();
    }
    event("tick all" + summary());
  }

  void tick_one() {
    SimulatedNode* node = random_live_node();
    if (node == nullptr) return event("tick: every node is down");
    node->raft().tick();
    event(fmt::format("tick n{}: {}", node->id().value(),
                      node->raft().describe()));
  }

  void process_ready() {
    std::vector<SimulatedNode*> busy;
    for (SimulatedNode& node : nodes_) {
      if (node.up() && (node.outstanding() > 0 || node.raft().has_ready())) {
        busy.push_back(&node);
      }
    }
    if (busy.empty()) return event("process: no node has a Ready");
    SimulatedNode& node = *busy[random_.below(busy.size())];
    ReadyEffects effects;
    std::string what;
    if (random_.chance(1, 3)) {
      node.drain(effects, kDrainReadiesMax);
      what = "drain";
    } else if (node.outstanding() > 0 &&
               (!node.can_take_ready() || random_.chance(1, 2))) {
      what = fmt::format("move oldest of {} Readies on ({})",
                         node.outstanding(), stage_name(*node.oldest_stage()));
      node.progress_oldest(effects);
    } else {
      node.take_ready(effects);
      what = fmt::format("take a Ready ({} outstanding)", node.outstanding());
    }
    route(node, effects);
    event(fmt::format("n{} {}: {} sent={} persisted={} applied={}",
                      node.id().value(), what, node.raft().describe(),
                      effects.messages.size(), effects.persisted.size(),
                      effects.applied_count()));
  }

  void deliver(std::optional<Message> message, std::string_view how) {
    if (!message) return event(fmt::format("{}: nothing deliverable", how));
    SimulatedNode& to = node(message->to);
    if (!to.up()) {
      SimulatedNode& from = node(message->from);
      if (from.up() && random_.chance(1, 4)) {
        from.raft().report_unreachable(message->to);
      }
      report_if_snapshot_lost(*message);
      return event(fmt::format("{} {}: lost, n{} is down", how,
                               consensus::describe(*message),
                               message->to.value()));
    }
    to.raft().step(*message);
    event(fmt::format("{} {} => {}", how, consensus::describe(*message),
                      to.raft().describe()));
  }

  // The transport tells the leader when a snapshot did not arrive (etcd's
  // ReportSnapshot); without it the leader would wait for it forever.
  void report_if_snapshot_lost(const Message& message) {
    if (message.type != consensus::MessageType::kSnapshot) return;
    SimulatedNode& from = node(message.from);
    if (!from.up()) return;
    from.raft().report_snapshot_failure(message.to);
    event(fmt::format("report snapshot to n{} failed to n{}",
                      message.to.value(), message.from.value()));
  }

  void note_message(std::string_view what,
                    const std::optional<Message>& message) {
    if (!message) return event(fmt::format("{}: nothing in flight", what));
    event(fmt::format("{} {}", what, consensus::describe(*message)));
  }

  void partition_halves() {
    std::vector<NodeId> ids;
    for (const SimulatedNode& node : nodes_) ids.push_back(node.id());
    for (size_t i = ids.size() - 1; i > 0; --i) {
      std::swap(ids[i], ids[random_.below(i + 1)]);
    }
    const size_t split = 1 + random_.below(ids.size() - 1);
    std::vector<NodeId> left(ids.begin(),
                             ids.begin() + static_cast<long>(split));
    std::vector<NodeId> right(ids.begin() + static_cast<long>(split),
                              ids.end());
    network_.partition({left, right});
    event(fmt::format("partition {} | {}", describe_ids(left),
                      describe_ids(right)));
  }

  void isolate_leader() {
    SimulatedNode* leader = newest_leader();
    if (leader == nullptr) return event("isolate: no leader");
    std::vector<NodeId> rest;
    for (const SimulatedNode& node : nodes_) {
      if (node.id() != leader->id()) rest.push_back(node.id());
    }
    network_.partition({{leader->id()}, rest});
    event(fmt::format("isolate n{} | {}", leader->id().value(),
                      describe_ids(rest)));
  }

  void crash() {
    SimulatedNode* node = random_live_node();
    if (node == nullptr) return event("crash: every node is down");
    const size_t outstanding = node->outstanding();
    const std::optional<ReadyStage> stage = node->oldest_stage();
    crash_node(*node);
    event(fmt::format(
        "crash n{} with {} Readies outstanding{}", node->id().value(),
        outstanding,
        stage ? fmt::format(", oldest {}", stage_name(*stage)) : ""));
  }

  // The node's connections break: the transport tells every peer that a
  // snapshot it was sending there did not make it (etcd's ReportSnapshot),
  // even if it arrived, because it may not have been persisted.
  void crash_node(SimulatedNode& crashed) {
    if (crashed.up()) crashed.crash();
    ++crashes_;
    for (SimulatedNode& peer : nodes_) {
      if (peer.up()) peer.raft().report_snapshot_failure(crashed.id());
    }
  }

  void crash_mid_ready() {
    SimulatedNode* node = random_live_node();
    if (node == nullptr) return event("crash: every node is down");
    ReadyEffects effects;
    while (node->outstanding() > 0) node->progress_oldest(effects);
    const Term node_term_before_crash = node->raft().term();
    std::string where = "with no Ready to act on";
    if (node->can_take_ready()) {
      node->take_ready(effects);
      // One of the four stages, or between the log and the hard state.
      const uint64_t point = random_.below(5);
      if (point == 4) {
        node->crash_before_hard_state(effects);
        where = "after persisting entries, before the hard state";
      } else {
        const auto stop = static_cast<ReadyStage>(1 + point);
        while (*node->oldest_stage() != stop) node->progress_oldest(effects);
        where = std::string(stage_name(stop));
      }
    }
    for (Message& message : effects.messages) {
      network_.send(std::move(message), step_);
    }
    checker_.check_effects(*node, effects, node_term_before_crash);
    crash_node(*node);
    event(fmt::format("crash n{} {}", node->id().value(), where));
  }

  void restart() {
    std::vector<SimulatedNode*> down;
    for (SimulatedNode& node : nodes_) {
      if (!node.up()) down.push_back(&node);
    }
    if (down.empty()) return event("restart: every node is up");
    SimulatedNode& node = *down[random_.below(down.size())];
    start(node);
  }

  void start(SimulatedNode& node) {
    node.start(random_.next());
    checker_.check_started(node);
    event(
        fmt::format("restart n{} from hard state term={} vote={} commit={} "
                    "last={} applied={}: {}",
                    node.id().value(), node.storage().hard_state().term.value(),
                    node.storage().hard_state().vote.value(),
                    node.storage().hard_state().commit.value(),
                    node.storage().last_index().value(),
                    node.applied_index().value(), node.raft().describe()));
  }

  void propose() {
    std::vector<SimulatedNode*> leaders;
    for (SimulatedNode& node : nodes_) {
      if (node.up() && node.raft().role() == Role::kLeader) {
        leaders.push_back(&node);
      }
    }
    SimulatedNode* node = nullptr;
    if (!leaders.empty() && !random_.chance(1, 10)) {
      node = leaders[random_.below(leaders.size())];
    } else {
      node = random_live_node();
    }
    if (node == nullptr) return event("propose: every node is down");
    std::vector<std::string> commands;
    const uint64_t count = random_.between(1, 3);
    for (uint64_t i = 0; i < count; ++i) commands.push_back(next_value());
    const Result<LogPosition> result = node->raft().propose(commands);
    event(fmt::format(
        "propose {} on n{}: {}", fmt::join(commands, ","), node->id().value(),
        result.is_ok() ? fmt::format("at {}@{}", result->index.value(),
                                     result->term.value())
                       : result.status().to_string()));
  }

  void transfer_leadership() {
    SimulatedNode* leader = newest_leader();
    if (leader == nullptr) return event("transfer: no leader");
    NodeId to = leader->id();
    while (to == leader->id()) to = nodes_[random_.below(nodes_.size())].id();
    const Status status = leader->raft().transfer_leadership(to);
    event(fmt::format("transfer leadership n{} -> n{}: {}",
                      leader->id().value(), to.value(), status.to_string()));
  }

  void read_index() {
    SimulatedNode* node = random_live_node();
    if (node == nullptr) return event("read: every node is down");
    const std::string context = fmt::format("s{}r{}", seed_, next_read_++);
    checker_.read_requested(context);
    const Status status = node->raft().read_index(context);
    event(fmt::format("read_index {} on n{}: {}", context, node->id().value(),
                      status.to_string()));
  }

  void campaign() {
    SimulatedNode* node = random_live_node();
    if (node == nullptr) return event("campaign: every node is down");
    node->raft().campaign_now();
    event(fmt::format("campaign n{}: {}", node->id().value(),
                      node->raft().describe()));
  }

  void compact() {
    SimulatedNode* node = random_live_node();
    if (node == nullptr) return event("compact: every node is down");
    const std::optional<LogIndex> index = node->compact();
    if (!index) {
      return event(
          fmt::format("compact n{}: nothing new applied", node->id().value()));
    }
    event(fmt::format("compact n{} through {}", node->id().value(),
                      index->value()));
  }

  // ---- liveness ------------------------------------------------------

  // Heals everything, then asks only that the cluster settles: a leader is
  // elected and a last proposal is applied on every node. Lenient by
  // design: proposals that a leader change loses are made again.
  void liveness_phase() {
    network_.heal();
    network_.clear_delays();
    for (SimulatedNode& node : nodes_) {
      if (!node.up()) start(node);
    }
    event("liveness: network healed, every node up");

    std::vector<std::string> finals;
    uint64_t proposed_round = 0;
    bool proposal_pending = false;
    for (uint64_t round = 1; round <= profile_.liveness_rounds_max; ++round) {
      ++step_;
      for (SimulatedNode& node : nodes_) node.raft().tick();
      settle();
      check_after_step();
      if (checker_.violation()) return;

      if (!finals.empty() && every_node_applied_one_of(finals)) {
        event(
            fmt::format("liveness: every node applied the last proposal "
                        "after {} rounds",
                        round));
        return;
      }
      const bool stale =
          proposal_pending &&
          round - proposed_round >= profile_.liveness_rounds_per_proposal;
      if (proposal_pending && !stale) continue;
      SimulatedNode* leader = newest_leader();
      if (leader == nullptr) continue;
      const std::string value = fmt::format("s{}final{}", seed_, finals.size());
      const Result<LogPosition> result = leader->raft().propose({value});
      event(fmt::format("liveness: propose {} on n{}: {}", value,
                        leader->id().value(),
                        result.is_ok() ? "ok" : result.status().to_string()));
      if (!result.is_ok()) continue;
      finals.push_back(value);
      proposal_pending = true;
      proposed_round = round;
    }
    std::string states;
    for (const SimulatedNode& node : nodes_) {
      states += fmt::format(" [{} applied={}]", node.raft().describe(),
                            node.applied_index().value());
    }
    liveness_failure_ = fmt::format(
        "after {} rounds with a healed network {}:{}",
        profile_.liveness_rounds_max,
        finals.empty() ? "no leader took a proposal"
                       : "the last proposal is not applied everywhere",
        states);
  }

  // Drains every node and delivers every message until nothing moves.
  void settle() {
    for (size_t pass = 0; pass < kSettlePassesMax; ++pass) {
      for (SimulatedNode& node : nodes_) {
        ReadyEffects effects;
        node.drain(effects, kDrainReadiesMax);
        route(node, effects);
        if (checker_.violation()) return;
      }
      if (network_.in_flight() == 0) return;
      while (std::optional<Message> message = network_.take_oldest(step_)) {
        node(message->to).raft().step(*message);
      }
    }
  }

  bool every_node_applied_one_of(const std::vector<std::string>& values) const {
    for (const SimulatedNode& node : nodes_) {
      const std::vector<LogEntry>& applied = node.applied();
      const bool found = std::any_of(
          applied.rbegin(), applied.rend(), [&](const LogEntry& entry) {
            return std::find(values.begin(), values.end(), entry.data) !=
                   values.end();
          });
      if (!found) return false;
    }
    return true;
  }

  // ---- plumbing ------------------------------------------------------

  void route(SimulatedNode& from, ReadyEffects& effects) {
    for (Message& message : effects.messages) {
      network_.send(std::move(message), step_);
    }
    checker_.check_effects(from, effects, from.raft().term());
  }

  void check_after_step() {
    for (const Message& message : network_.take_lost_snapshots()) {
      report_if_snapshot_lost(message);
    }
    checker_.check_step(nodes_);
    if (step_ % kPairwiseIntervalSteps == 0) {
      checker_.check_logs_pairwise(nodes_);
    }
  }

  SimulatedNode& node(NodeId id) { return nodes_[id.value() - 1]; }

  SimulatedNode* random_live_node() {
    std::vector<SimulatedNode*> live;
    for (SimulatedNode& node : nodes_) {
      if (node.up()) live.push_back(&node);
    }
    if (live.empty()) return nullptr;
    return live[random_.below(live.size())];
  }

  // The live node that thinks it leads the highest term, if any.
  SimulatedNode* newest_leader() {
    const std::optional<size_t> index = newest_leader_index();
    return index ? &nodes_[*index] : nullptr;
  }
  std::optional<size_t> newest_leader_index() const {
    std::optional<size_t> best;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const SimulatedNode& node = nodes_[i];
      if (!node.up() || node.raft().role() != Role::kLeader) continue;
      if (!best || node.raft().term() > nodes_[*best].raft().term()) best = i;
    }
    return best;
  }

  std::string next_value() {
    return fmt::format("s{}v{}", seed_, next_value_++);
  }

  static std::string describe_ids(const std::vector<NodeId>& ids) {
    std::string out;
    for (const NodeId id : ids) {
      if (!out.empty()) out += ',';
      out += fmt::format("n{}", id.value());
    }
    return out;
  }

  // " | n1 t3 L c5 | n2 down | ..." for tick lines.
  std::string summary() const {
    std::string out;
    for (const SimulatedNode& node : nodes_) {
      if (!node.up()) {
        out += fmt::format(" | n{} down", node.id().value());
        continue;
      }
      const Raft& raft = node.raft();
      out += fmt::format(" | n{} t{} {} c{}", node.id().value(),
                         raft.term().value(), consensus::role_name(raft.role()),
                         raft.committed().value());
    }
    return out;
  }

  void event(std::string line) {
    line = fmt::format("#{} {}", step_, line);
    if (profile_.trace) fmt::print("{}\n", line);
    events_.record(std::move(line));
  }

  ScheduleOutcome outcome() {
    ScheduleOutcome result;
    result.seed = seed_;
    result.violation = checker_.violation();
    if (!result.violation && liveness_failure_) {
      result.violation = Violation{"liveness", *liveness_failure_};
    }
    result.recent_events = events_.recent();
    result.event_digest = events_.digest();
    result.node_count = nodes_.size();
    result.steps = step_;
    result.leaders = checker_.leaders_observed();
    result.entries_committed = checker_.entries_committed();
    result.crashes = crashes_;
    result.reads_answered = checker_.reads_answered();
    return result;
  }

  uint64_t seed_;
  ScheduleProfile profile_;
  DeterministicRandom random_;
  FaultNetwork network_;
  std::vector<SimulatedNode> nodes_;
  PropertyChecker checker_;
  EventLog events_;
  uint64_t step_ = 0;
  uint64_t next_value_ = 1;
  uint64_t next_read_ = 1;
  uint64_t crashes_ = 0;
  std::optional<std::string> liveness_failure_;
};

}  // namespace

ScheduleOutcome run_schedule(uint64_t seed, const ScheduleProfile& profile) {
  return ScheduleRunner(seed, profile).run();
}

std::string describe_failure(const ScheduleOutcome& outcome) {
  if (!outcome.violation) {
    return fmt::format("SEED={}: no violation", outcome.seed);
  }
  std::string out =
      fmt::format("SEED={}\nviolated: {}\n{}\nlast {} events:\n", outcome.seed,
                  outcome.violation->property, outcome.violation->detail,
                  outcome.recent_events.size());
  for (const std::string& line : outcome.recent_events)
    out += "  " + line + "\n";
  return out;
}

}  // namespace quokka::testing::raft_property
