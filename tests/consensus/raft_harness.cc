#include "tests/consensus/raft_harness.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/assert.h"

namespace quokka::testing {

using consensus::ConfState;
using consensus::Message;
using consensus::MessageType;
using consensus::Raft;
using consensus::RaftOptions;
using consensus::Ready;
using consensus::Role;

RaftOptions default_raft_options(NodeId id) {
  RaftOptions options;
  options.id = id;
  options.election_timeout_ticks = 10;
  options.heartbeat_ticks = 1;
  options.random_seed = id.value();
  options.pre_vote = true;
  options.check_quorum = true;
  options.check_invariants = true;
  return options;
}

std::string encode_applied_commands(
    const std::vector<std::pair<LogIndex, std::string>>& commands) {
  std::string data;
  for (const auto& [index, command] : commands) {
    QUOKKA_ASSERT(command.find('\n') == std::string::npos,
                  "test commands are single lines: {}", command);
    data += fmt::format("{}:{}\n", index.value(), command);
  }
  return data;
}

std::vector<std::pair<LogIndex, std::string>> decode_applied_commands(
    const std::string& data) {
  std::vector<std::pair<LogIndex, std::string>> commands;
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    QUOKKA_ASSERT(end != std::string::npos, "unterminated snapshot line");
    const std::string line = data.substr(start, end - start);
    const size_t colon = line.find(':');
    QUOKKA_ASSERT(colon != std::string::npos, "snapshot line without index: {}",
                  line);
    uint64_t index = 0;
    auto parsed = std::from_chars(line.data(), line.data() + colon, index);
    QUOKKA_ASSERT(parsed.ec == std::errc(), "bad snapshot index: {}", line);
    commands.emplace_back(LogIndex(index), line.substr(colon + 1));
    start = end + 1;
  }
  return commands;
}

// ---------------------------------------------------------------- TestNode

TestNode::TestNode(RaftOptions options, ConfState initial)
    : options_(options),
      storage_(std::make_unique<consensus::MemoryLogStorage>(
          std::move(initial))) {}

consensus::Raft& TestNode::raft() {
  QUOKKA_ASSERT(raft_ != nullptr, "node {} is not running", id().value());
  return *raft_;
}

const consensus::Raft& TestNode::raft() const {
  QUOKKA_ASSERT(raft_ != nullptr, "node {} is not running", id().value());
  return *raft_;
}

void TestNode::start() {
  QUOKKA_ASSERT(raft_ == nullptr, "node {} is already running", id().value());
  reset_state_machine();
  // The state machine is rebuilt from the snapshot, so the core hands out
  // again every committed entry after it.
  options_.applied = applied_index_;
  raft_ = std::make_unique<Raft>(options_, *storage_);
  soft_state_ = {raft_->leader(), raft_->role()};
}

void TestNode::crash() {
  QUOKKA_ASSERT(raft_ != nullptr, "node {} is not running", id().value());
  raft_.reset();
  stalled_.clear();
  disk_stalled_ = false;
  reset_state_machine();
  clear_reads();
  soft_state_ = {};
}

void TestNode::restart() { start(); }

void TestNode::reset_state_machine() {
  auto snapshot = storage_->snapshot();
  QUOKKA_ASSERT(snapshot.is_ok(), "{}", snapshot.status().to_string());
  applied_commands_.clear();
  kv_.clear();
  applied_entries_.clear();
  conf_history_.clear();
  applied_index_ = LogIndex(0);
  install(*snapshot);
}

void TestNode::install(const consensus::Snapshot& snapshot) {
  applied_commands_ = decode_applied_commands(snapshot.data);
  kv_.clear();
  for (const auto& [index, command] : applied_commands_) {
    const size_t equals = command.find('=');
    if (equals != std::string::npos) {
      kv_[command.substr(0, equals)] = command.substr(equals + 1);
    }
  }
  conf_history_.clear();
  conf_history_[snapshot.metadata.last.index] = snapshot.metadata.conf_state;
  applied_index_ = snapshot.metadata.last.index;
}

std::vector<Message> TestNode::handle_readies() {
  std::vector<Message> out;
  if (raft_ == nullptr) return out;
  if (!disk_stalled_) {
    while (!stalled_.empty()) {
      complete(stalled_.front(), out);
      stalled_.pop_front();
    }
  }
  while (raft_->has_ready()) {
    Ready ready = raft_->ready();
    send_at_once(ready, out);
    if (disk_stalled_) {
      const bool empty = ready.empty();
      stalled_.push_back(std::move(ready));
      // A core that keeps reporting a Ready with nothing in it would spin.
      if (empty) break;
      continue;
    }
    complete(ready, out);
  }
  return out;
}

void TestNode::send_at_once(const Ready& ready, std::vector<Message>& out) {
  if (ready.soft_state) soft_state_ = *ready.soft_state;
  // Step 1: messages that promise nothing about this node's disk. A grant
  // or an acknowledgement among them would run ahead of the state it
  // speaks of, when this Ready or an earlier one still waits for the disk.
  const bool persists = ready.snapshot.has_value() || !ready.entries.empty() ||
                        ready.hard_state.has_value() || !stalled_.empty();
  for (const Message& message : ready.messages) {
    const bool durable_claim =
        !message.reject && (message.type == MessageType::kVoteResponse ||
                            message.type == MessageType::kAppendResponse);
    if (persists && durable_claim) {
      violations_.push_back(fmt::format(
          "'{}' was handed out in `messages` of a Ready that still had state "
          "to persist; it must wait for messages_after_persist",
          consensus::describe(message)));
    }
    out.push_back(message);
  }
}

void TestNode::complete(Ready& ready, std::vector<Message>& out) {
  // Step 2: persist snapshot, entries, hard state.
  if (ready.snapshot) storage_->apply_snapshot(*ready.snapshot);
  if (!ready.entries.empty()) storage_->append(ready.entries);
  if (ready.hard_state) storage_->set_hard_state(*ready.hard_state);

  // Step 3: what depends on the persisted state.
  for (const Message& message : ready.messages_after_persist) {
    out.push_back(message);
  }

  // Step 4: apply.
  if (ready.snapshot) install(*ready.snapshot);
  for (const LogEntry& entry : ready.committed_entries) {
    if (entry.index != LogIndex(applied_index_.value() + 1)) {
      violations_.push_back(fmt::format(
          "committed entry {}@{} handed out after applied index {}",
          entry.index.value(), entry.term.value(), applied_index_.value()));
    }
    auto stored = storage_->term_at(entry.index);
    if (!stored.is_ok() || *stored != entry.term) {
      violations_.push_back(fmt::format(
          "committed entry {}@{} handed out before it was persisted",
          entry.index.value(), entry.term.value()));
    }
    apply(entry);
  }
  for (const consensus::ReadState& read : ready.read_states) {
    read_states_.push_back(read);
  }
  for (const std::string& context : ready.dropped_reads) {
    dropped_reads_.push_back(context);
  }

  // Step 5.
  raft_->advance(ready);
}

void TestNode::apply(const LogEntry& entry) {
  applied_entries_.push_back(entry);
  applied_index_ = entry.index;
  if (entry.type == EntryType::kConfChange) {
    auto change = consensus::decode_conf_change(entry.data);
    if (!change.is_ok()) {
      violations_.push_back(fmt::format("entry {} is not a ConfChange: {}",
                                        entry.index.value(),
                                        change.status().to_string()));
      return;
    }
    auto next = consensus::apply_conf_change(conf_state_at(entry.index), *change);
    // A change that does not apply is a no-op for every node alike.
    if (next.is_ok()) conf_history_[entry.index] = *next;
    return;
  }
  if (entry.data.empty()) return;
  applied_commands_.emplace_back(entry.index, entry.data);
  const size_t equals = entry.data.find('=');
  if (equals != std::string::npos) {
    kv_[entry.data.substr(0, equals)] = entry.data.substr(equals + 1);
  }
}

ConfState TestNode::conf_state_at(LogIndex index) const {
  auto after = conf_history_.upper_bound(index);
  if (after == conf_history_.begin()) return storage_->snapshot_conf_state();
  return std::prev(after)->second;
}

std::vector<std::string> TestNode::applied_values() const {
  std::vector<std::string> values;
  for (const auto& [index, command] : applied_commands_) values.push_back(command);
  return values;
}

void TestNode::clear_reads() {
  read_states_.clear();
  dropped_reads_.clear();
}

std::vector<LogEntry> TestNode::persisted_entries() const {
  const LogIndex first = storage_->first_index();
  const LogIndex last = storage_->last_index();
  if (last < first) return {};
  auto entries = storage_->entries(first, LogIndex(last.value() + 1), UINT64_MAX);
  QUOKKA_ASSERT(entries.is_ok(), "{}", entries.status().to_string());
  return *entries;
}

void TestNode::compact(LogIndex index) {
  QUOKKA_ASSERT(index <= applied_index_,
                "node {} cannot snapshot at {}: applied only through {}",
                id().value(), index.value(), applied_index_.value());
  std::vector<std::pair<LogIndex, std::string>> covered;
  for (const auto& command : applied_commands_) {
    if (command.first <= index) covered.push_back(command);
  }
  storage_->create_snapshot(index, conf_state_at(index),
                            encode_applied_commands(covered));
}

// ------------------------------------------------------------- TestCluster

TestCluster::TestCluster(size_t voters, OptionsHook options,
                         StorageHook storage)
    : options_hook_(std::move(options)) {
  for (uint64_t id = 1; id <= voters; ++id) founding_.voters.push_back(NodeId(id));
  for (uint64_t id = 1; id <= voters; ++id) {
    RaftOptions node_options = default_raft_options(NodeId(id));
    if (options_hook_) options_hook_(node_options);
    auto node = std::make_unique<TestNode>(node_options, founding_);
    if (storage) storage(NodeId(id), node->storage());
    node->start();
    nodes_.emplace(NodeId(id), std::move(node));
  }
}

TestNode& TestCluster::add_node(NodeId id, std::optional<ConfState> initial) {
  QUOKKA_ASSERT(!has_node(id), "node {} exists", id.value());
  RaftOptions node_options = default_raft_options(id);
  if (options_hook_) options_hook_(node_options);
  auto node = std::make_unique<TestNode>(node_options, initial.value_or(founding_));
  node->start();
  TestNode& added = *node;
  nodes_.emplace(id, std::move(node));
  return added;
}

std::vector<NodeId> TestCluster::ids() const {
  std::vector<NodeId> ids;
  for (const auto& [id, node] : nodes_) ids.push_back(id);
  return ids;
}

TestNode& TestCluster::node(NodeId id) {
  auto found = nodes_.find(id);
  QUOKKA_ASSERT(found != nodes_.end(), "no node {}", id.value());
  return *found->second;
}

const TestNode& TestCluster::node(NodeId id) const {
  auto found = nodes_.find(id);
  QUOKKA_ASSERT(found != nodes_.end(), "no node {}", id.value());
  return *found->second;
}

void TestCluster::tick(NodeId id, uint64_t ticks) {
  flush();
  for (uint64_t i = 0; i < ticks; ++i) {
    raft(id).tick();
    enqueue(node(id).handle_readies());
  }
}

void TestCluster::tick_all(uint64_t ticks) {
  flush();
  for (uint64_t i = 0; i < ticks; ++i) {
    for (auto& [id, node] : nodes_) {
      if (!node->running()) continue;
      node->raft().tick();
      enqueue(node->handle_readies());
    }
  }
}

void TestCluster::campaign(NodeId id) {
  flush();
  raft(id).campaign_now();
  flush();
}

Result<LogPosition> TestCluster::propose(NodeId id, std::string command) {
  flush();
  auto result = raft(id).propose({std::move(command)});
  flush();
  return result;
}

Status TestCluster::read_index(NodeId id, std::string context) {
  flush();
  Status status = raft(id).read_index(std::move(context));
  flush();
  return status;
}

Status TestCluster::transfer_leadership(NodeId from, NodeId to) {
  flush();
  Status status = raft(from).transfer_leadership(to);
  flush();
  return status;
}

Result<LogPosition> TestCluster::propose_conf_change(
    NodeId leader, consensus::ConfChange change) {
  flush();
  auto result = raft(leader).propose_conf_change(change);
  flush();
  return result;
}

void TestCluster::flush() {
  for (auto& [id, node] : nodes_) enqueue(node->handle_readies());
}

void TestCluster::enqueue(std::vector<Message> messages) {
  for (Message& message : messages) queue_.push_back(std::move(message));
}

Delivery TestCluster::deliver_message(Message message) {
  Delivery delivery{std::move(message), ""};
  const Message& m = delivery.message;
  if (!has_node(m.to) || !node(m.to).running()) {
    delivery.lost = "down";
  } else if (link_cut(m.from, m.to)) {
    delivery.lost = "cut";
  } else {
    TestNode& receiver = node(m.to);
    receiver.raft().step(m);
    enqueue(receiver.handle_readies());
  }
  return delivery;
}

std::vector<Delivery> TestCluster::deliver_all(size_t messages_max) {
  flush();
  std::vector<Delivery> deliveries;
  while (!queue_.empty() && deliveries.size() < messages_max) {
    Message message = std::move(queue_.front());
    queue_.pop_front();
    deliveries.push_back(deliver_message(std::move(message)));
  }
  return deliveries;
}

std::vector<Delivery> TestCluster::deliver_once(
    const std::function<bool(const Message&)>& filter) {
  flush();
  std::vector<Message> chosen;
  std::deque<Message> kept;
  for (Message& message : queue_) {
    if (filter(message)) {
      chosen.push_back(std::move(message));
    } else {
      kept.push_back(std::move(message));
    }
  }
  queue_ = std::move(kept);
  std::vector<Delivery> deliveries;
  for (Message& message : chosen) {
    deliveries.push_back(deliver_message(std::move(message)));
  }
  return deliveries;
}

std::vector<Delivery> TestCluster::deliver_while(
    const std::function<bool(const Message&)>& filter, size_t messages_max) {
  std::vector<Delivery> deliveries;
  while (deliveries.size() < messages_max) {
    flush();
    auto found = std::find_if(queue_.begin(), queue_.end(), filter);
    if (found == queue_.end()) break;
    Message message = std::move(*found);
    queue_.erase(found);
    deliveries.push_back(deliver_message(std::move(message)));
  }
  return deliveries;
}

std::vector<Delivery> TestCluster::deliver_to(NodeId to) {
  return deliver_once([to](const Message& m) { return m.to == to; });
}

std::vector<Delivery> TestCluster::deliver_from(NodeId from) {
  return deliver_once([from](const Message& m) { return m.from == from; });
}

std::vector<Delivery> TestCluster::drop(
    const std::function<bool(const Message&)>& filter) {
  flush();
  std::vector<Delivery> dropped;
  std::deque<Message> kept;
  for (Message& message : queue_) {
    if (!filter || filter(message)) {
      dropped.push_back({std::move(message), "dropped"});
    } else {
      kept.push_back(std::move(message));
    }
  }
  queue_ = std::move(kept);
  return dropped;
}

std::vector<Delivery> TestCluster::drop_to(NodeId to) {
  return drop([to](const Message& m) { return m.to == to; });
}

void TestCluster::run_ticks(uint64_t ticks) {
  for (uint64_t i = 0; i < ticks; ++i) {
    tick_all(1);
    deliver_all();
  }
}

void TestCluster::cut(NodeId a, NodeId b) {
  cut_links_.insert({a, b});
  cut_links_.insert({b, a});
}

void TestCluster::isolate(NodeId id) {
  for (const auto& [other, node] : nodes_) {
    if (other != id) cut(id, other);
  }
}

void TestCluster::partition(const std::vector<std::vector<NodeId>>& groups) {
  cut_links_.clear();
  std::map<NodeId, size_t> group_of;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (NodeId id : groups[g]) group_of[id] = g;
  }
  for (const auto& [a, node_a] : nodes_) {
    for (const auto& [b, node_b] : nodes_) {
      if (a == b) continue;
      auto ga = group_of.find(a);
      auto gb = group_of.find(b);
      const bool same = ga != group_of.end() && gb != group_of.end() &&
                        ga->second == gb->second;
      if (!same) cut_links_.insert({a, b});
    }
  }
}

void TestCluster::heal() { cut_links_.clear(); }

bool TestCluster::link_cut(NodeId from, NodeId to) const {
  return cut_links_.count({from, to}) != 0;
}

void TestCluster::crash(NodeId id) { node(id).crash(); }

void TestCluster::restart(NodeId id) {
  node(id).restart();
  flush();
}

NodeId TestCluster::leader() const {
  NodeId leader;
  Term best;
  for (const auto& [id, node] : nodes_) {
    if (!node->running()) continue;
    const Raft& raft = node->raft();
    if (raft.role() == Role::kLeader && (leader == NodeId(0) || raft.term() > best)) {
      leader = id;
      best = raft.term();
    }
  }
  return leader;
}

bool TestCluster::elect(NodeId id) {
  campaign(id);
  deliver_all();
  return node(id).running() && raft(id).role() == Role::kLeader;
}

std::string TestCluster::status() const {
  std::string out;
  for (const auto& [id, node] : nodes_) {
    if (node->running()) {
      out += node->raft().describe();
    } else {
      out += fmt::format("id={} crashed", id.value());
    }
    out += '\n';
  }
  return out;
}

std::vector<std::string> TestCluster::violations() const {
  std::vector<std::string> all;
  for (const auto& [id, node] : nodes_) {
    for (const std::string& violation : node->violations()) {
      all.push_back(fmt::format("node {}: {}", id.value(), violation));
    }
  }
  return all;
}

std::string describe(const Delivery& delivery) {
  std::string text = consensus::describe(delivery.message);
  if (!delivery.lost.empty()) text += fmt::format(" (lost: {})", delivery.lost);
  return text;
}

}  // namespace quokka::testing
