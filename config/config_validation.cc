#include "config/config_validation.h"

#include <map>

#include <fmt/format.h>

#include "config/config_errors.h"

namespace quokka {
namespace {

// Cross-field messages point at the first field involved and name where the
// others came from, so that both lines can be found:
//   node1.toml:31:1: raft.heartbeat_ticks = 10 must be less than
//   raft.election_timeout_ticks = 10 (node1.toml:30:1); allowed 1..9 ticks
class CrossFieldErrors {
 public:
  explicit CrossFieldErrors(const ConfigOrigins& origins) : origins_(origins) {}

  // "<origin of path>: ", else the origin of `fallback` (the other field
  // of the rule, so that a message always points at a line the operator
  // wrote when there is one), else nothing: both are defaults.
  std::string at(std::string_view path, std::string_view fallback = {}) const {
    std::string_view origin = origins_.of(path);
    if (origin.empty() && !fallback.empty()) origin = origins_.of(fallback);
    if (origin.empty()) return "";
    return fmt::format("{}: ", origin);
  }
  // "(node1.toml:30:1)" or "(default)".
  std::string from(std::string_view path) const {
    std::string_view origin = origins_.of(path);
    if (origin.empty()) return "(default)";
    return fmt::format("({})", origin);
  }

  void add(std::string line) { errors_.add(std::move(line)); }

  // The rule "`field` may not be larger than `limit`", named with both
  // origins and the allowed range `min`..limit in `unit`.
  void larger_than(std::string_view field, uint64_t value, std::string_view limit,
                   uint64_t limit_value, uint64_t min, std::string_view unit) {
    add(fmt::format("{}{} = {} is larger than {} = {} {}; allowed {}..{} {}", at(field, limit),
                    field, value, limit, limit_value, from(limit), min, limit_value, unit));
  }
  Status to_status() const { return errors_.to_status(); }

 private:
  const ConfigOrigins& origins_;
  ConfigErrors errors_;
};

std::string member_path(size_t index, std::string_view key) {
  return fmt::format("cluster.members[{}].{}", index, key);
}

void check_members(const NodeConfig& config, CrossFieldErrors& errors) {
  const auto& members = config.cluster.members;
  std::map<NodeId, size_t> index_of_id;
  // Every peer and client address, each must be unique across both kinds:
  // two members on one address would be one process.
  std::map<HostPort, std::string> user_of_address;
  for (size_t i = 0; i < members.size(); ++i) {
    const ClusterMember& member = members[i];
    std::string id_path = member_path(i, "id");
    auto [it, inserted] = index_of_id.emplace(member.id, i);
    if (!inserted) {
      std::string first = member_path(it->second, "id");
      errors.add(fmt::format("{}{} = {} duplicates {} {}; allowed a unique id per member",
                             errors.at(id_path), id_path, member.id.value(), first, errors.from(first)));
    }
    for (std::string_view key : {"peer_address", "client_address"}) {
      std::string path = member_path(i, key);
      const HostPort& address = key == "peer_address" ? member.peer_address : member.client_address;
      auto [user, fresh] = user_of_address.emplace(address, path);
      if (!fresh) {
        errors.add(fmt::format("{}{} = \"{}\" is already used by {} {}; allowed an address no "
                               "other member or port uses",
                               errors.at(path), path, address.to_string(), user->second,
                               errors.from(user->second)));
      }
    }
  }
  auto own = index_of_id.find(config.node.id);
  if (own == index_of_id.end()) {
    std::vector<uint64_t> ids;
    for (const auto& [id, index] : index_of_id) ids.push_back(id.value());
    errors.add(fmt::format("{}node.id = {} is not among cluster.members {}; allowed one of the "
                           "member ids {}",
                           errors.at("node.id", "cluster.members"), config.node.id.value(),
                           errors.from("cluster.members"),
                           fmt::join(ids, ", ")));
    return;
  }
  // The members list is what other nodes dial. When this node binds a
  // specific address, it must be the one the others were told; this catches
  // a file copied from another node with only some ports changed.
  const ClusterMember& self = members[own->second];
  struct Pair {
    std::string_view listen_path;
    const HostPort& listen;
    std::string member_path;
    const HostPort& advertised;
  };
  for (const Pair& pair :
       {Pair{"listen.peer_address", config.listen.peer_address,
             member_path(own->second, "peer_address"), self.peer_address},
        Pair{"listen.client_address", config.listen.client_address,
             member_path(own->second, "client_address"), self.client_address}}) {
    if (!pair.listen.is_wildcard() && pair.listen != pair.advertised) {
      errors.add(fmt::format(
          "{}{} = \"{}\" differs from this node's {} = \"{}\" {}; allowed \"{}\" or a wildcard "
          "host such as 0.0.0.0:{}",
          errors.at(pair.listen_path, pair.member_path), pair.listen_path, pair.listen.to_string(),
          pair.member_path, pair.advertised.to_string(), errors.from(pair.member_path),
          pair.advertised.to_string(), pair.advertised.port));
    }
  }
}

bool same_socket(const HostPort& a, const HostPort& b) {
  if (a.port != b.port) return false;
  return a.host == b.host || a.is_wildcard() || b.is_wildcard();
}

void check_listen(const ListenConfig& listen, CrossFieldErrors& errors) {
  struct Named {
    std::string_view path;
    const HostPort& address;
  };
  const Named addresses[] = {{"listen.client_address", listen.client_address},
                             {"listen.peer_address", listen.peer_address},
                             {"listen.metrics_address", listen.metrics_address}};
  for (size_t i = 0; i < std::size(addresses); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (same_socket(addresses[i].address, addresses[j].address)) {
        errors.add(fmt::format("{}{} = \"{}\" collides with {} = \"{}\" {}; allowed a different "
                               "port for each listener",
                               errors.at(addresses[i].path), addresses[i].path,
                               addresses[i].address.to_string(), addresses[j].path,
                               addresses[j].address.to_string(), errors.from(addresses[j].path)));
      }
    }
  }
}

void check_raft(const RaftConfig& raft, CrossFieldErrors& errors) {
  // Raft §5.2: followers must hear from the leader well within the election
  // timeout, or they depose a healthy leader.
  if (raft.heartbeat_ticks >= raft.election_timeout_ticks) {
    errors.add(fmt::format("{}raft.heartbeat_ticks = {} must be less than "
                           "raft.election_timeout_ticks = {} {}; allowed 1..{} ticks",
                           errors.at("raft.heartbeat_ticks", "raft.election_timeout_ticks"),
                           raft.heartbeat_ticks,
                           raft.election_timeout_ticks, errors.from("raft.election_timeout_ticks"),
                           raft.election_timeout_ticks - 1));
  }
}

void check_limits(const NodeConfig& config, CrossFieldErrors& errors) {
  const LimitsConfig& limits = config.limits;
  // Only a set inline limit can exceed the value limit; the derived one is
  // capped at it.
  if (limits.inline_value_bytes_max && *limits.inline_value_bytes_max > limits.value_bytes_max) {
    errors.larger_than("limits.inline_value_bytes_max", *limits.inline_value_bytes_max,
                       "limits.value_bytes_max", limits.value_bytes_max, 0, "bytes");
  }
  uint64_t frame = limits.frame_bytes_max_effective();
  if (limits.frame_bytes_max && frame < limits.frame_bytes_needed()) {
    bool value_decides = limits.value_bytes_max >= limits.range_bytes_max;
    std::string_view decisive = value_decides ? "limits.value_bytes_max" : "limits.range_bytes_max";
    errors.add(fmt::format("{}limits.frame_bytes_max = {} cannot carry {} of {} = {} {} plus {} "
                           "bytes of framing; allowed at least {} bytes, or leave it unset",
                           errors.at("limits.frame_bytes_max"), frame,
                           value_decides ? "a value" : "a range page", decisive,
                           value_decides ? limits.value_bytes_max : limits.range_bytes_max,
                           errors.from(decisive), kFrameOverheadBytes,
                           limits.frame_bytes_needed()));
  }
  const RaftConfig& raft = config.raft;
  if (raft.append_bytes_max + kFrameOverheadBytes > frame) {
    std::string frame_origin = limits.frame_bytes_max
                                   ? errors.from("limits.frame_bytes_max")
                                   : "(derived from limits.value_bytes_max and range_bytes_max)";
    errors.add(fmt::format("{}raft.append_bytes_max = {} does not fit in a frame of "
                           "limits.frame_bytes_max = {} {} with {} bytes of framing; allowed "
                           "1024..{} bytes",
                           errors.at("raft.append_bytes_max", "limits.frame_bytes_max"),
                           raft.append_bytes_max, frame, frame_origin, kFrameOverheadBytes,
                           frame - kFrameOverheadBytes));
  }
  uint64_t inline_value = limits.inline_value_bytes_max_effective();
  if (inline_value > raft.append_bytes_max) {
    errors.add(fmt::format("{}limits.inline_value_bytes_max = {} is larger than one "
                           "AppendEntries message, raft.append_bytes_max = {} {}; allowed 0..{} "
                           "bytes",
                           errors.at("limits.inline_value_bytes_max", "raft.append_bytes_max"),
                           inline_value, raft.append_bytes_max,
                           errors.from("raft.append_bytes_max"), raft.append_bytes_max));
  }
  if (limits.request_deadline_ms_default > limits.request_deadline_ms_max) {
    errors.larger_than("limits.request_deadline_ms_default", limits.request_deadline_ms_default,
                       "limits.request_deadline_ms_max", limits.request_deadline_ms_max, 1, "ms");
  }
}

void check_queues(const QueuesConfig& queues, CrossFieldErrors& errors) {
  // Every admitted value is pushed to each follower through its peer
  // queue; a budget larger than the queue would have pushes of admitted
  // writes dropped and asked for again, round after round.
  if (queues.write_values_bytes_max > queues.peer_outgoing_bytes_max) {
    errors.larger_than("queues.write_values_bytes_max", queues.write_values_bytes_max,
                       "queues.peer_outgoing_bytes_max", queues.peer_outgoing_bytes_max,
                       1024 * 1024, "bytes");
  }
}

}  // namespace

Status validate(const NodeConfig& config) {
  CrossFieldErrors errors(config.origins);
  check_members(config, errors);
  check_listen(config.listen, errors);
  check_raft(config.raft, errors);
  check_limits(config, errors);
  check_queues(config.queues, errors);
  return errors.to_status();
}

}  // namespace quokka
