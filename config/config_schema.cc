#include "config/config_schema.h"

#include <array>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

#include "config/closest_name.h"

namespace quokka {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

constexpr std::array<std::string_view, 9> kSectionNames = {
    "node", "listen", "cluster", "limits", "queues", "raft", "storage", "log", "metrics"};

// The integer kinds fields are stored as: plain counts, ids, and optional
// values where "unset" means "derived from another field".
void store_integer(uint64_t& target, int64_t value) { target = static_cast<uint64_t>(value); }
void store_integer(NodeId& target, int64_t value) { target = NodeId(static_cast<uint64_t>(value)); }
void store_integer(std::optional<uint64_t>& target, int64_t value) {
  target = static_cast<uint64_t>(value);
}

std::optional<int64_t> stored_integer(const uint64_t& source) {
  return static_cast<int64_t>(source);
}
std::optional<int64_t> stored_integer(const NodeId& source) {
  return static_cast<int64_t>(source.value());
}
std::optional<int64_t> stored_integer(const std::optional<uint64_t>& source) {
  if (!source) return std::nullopt;
  return static_cast<int64_t>(*source);
}

// `access` is a generic lambda returning a reference to the field inside a
// (const or mutable) NodeConfig.
template <typename Access>
ConfigField integer_field(std::string_view path, IntegerBounds bounds, Access access) {
  ConfigField field;
  field.path = path;
  field.expected = "an integer";
  field.assign = [path, bounds, access](const toml::node& value, const std::string& where,
                                        const SourceLocator&, NodeConfig& config,
                                        ConfigErrors& errors) {
    if (std::optional<int64_t> number = check_integer(value, path, where, bounds, errors)) {
      store_integer(access(config), *number);
      config.origins.record(std::string(path), where);
    }
  };
  field.render = [path, access](const NodeConfig& config, toml::table& root) {
    if (std::optional<int64_t> number = stored_integer(access(config))) {
      insert_at_path(root, path, toml::value<int64_t>(*number));
    }
  };
  return field;
}

template <typename Access>
ConfigField boolean_field(std::string_view path, Access access) {
  ConfigField field;
  field.path = path;
  field.expected = "a boolean (true or false)";
  field.assign = [path, access](const toml::node& value, const std::string& where,
                                const SourceLocator&, NodeConfig& config, ConfigErrors& errors) {
    if (std::optional<bool> flag = check_boolean(value, path, where, errors)) {
      access(config) = *flag;
      config.origins.record(std::string(path), where);
    }
  };
  field.render = [path, access](const NodeConfig& config, toml::table& root) {
    insert_at_path(root, path, toml::value<bool>(access(config)));
  };
  return field;
}

template <typename Access>
ConfigField text_field(std::string_view path, TextRule rule, std::string allowed,
                       Access access) {
  ConfigField field;
  field.path = path;
  field.override_syntax = OverrideSyntax::kPlainText;
  field.expected = "a string";
  field.assign = [path, rule, allowed, access](const toml::node& value, const std::string& where,
                                               const SourceLocator&, NodeConfig& config,
                                               ConfigErrors& errors) {
    if (std::optional<std::string> text = check_text(value, path, where, rule, allowed, errors)) {
      access(config) = std::move(*text);
      config.origins.record(std::string(path), where);
    }
  };
  field.render = [path, access](const NodeConfig& config, toml::table& root) {
    insert_at_path(root, path, toml::value<std::string>(access(config)));
  };
  return field;
}

template <typename Access>
ConfigField address_field(std::string_view path, AddressUse use, Access access) {
  ConfigField field;
  field.path = path;
  field.override_syntax = OverrideSyntax::kPlainText;
  field.expected = "a string \"host:port\"";
  field.assign = [path, use, access](const toml::node& value, const std::string& where,
                                     const SourceLocator&, NodeConfig& config,
                                     ConfigErrors& errors) {
    if (std::optional<HostPort> address = check_address(value, path, where, use, errors)) {
      access(config) = std::move(*address);
      config.origins.record(std::string(path), where);
    }
  };
  field.render = [path, access](const NodeConfig& config, toml::table& root) {
    insert_at_path(root, path, toml::value<std::string>(access(config).to_string()));
  };
  return field;
}

// An enum stored as `Enum`, written as one of `names`.
template <typename Enum, typename Access>
ConfigField choice_field(std::string_view path, std::span<const std::string_view> names,
                         std::optional<Enum> (*from_name)(std::string_view),
                         std::string_view (*to_name)(Enum), Access access) {
  ConfigField field;
  field.path = path;
  field.override_syntax = OverrideSyntax::kPlainText;
  field.expected = "a string";
  field.assign = [path, names, from_name, access](const toml::node& value,
                                                  const std::string& where, const SourceLocator&,
                                                  NodeConfig& config, ConfigErrors& errors) {
    if (std::optional<std::string> name = check_choice(value, path, where, names, errors)) {
      std::optional<Enum> chosen = from_name(*name);
      QUOKKA_ASSERT(chosen.has_value(), "choice {} of {} has no enum value", *name, path);
      access(config) = *chosen;
      config.origins.record(std::string(path), where);
    }
  };
  field.render = [path, to_name, access](const NodeConfig& config, toml::table& root) {
    insert_at_path(root, path, toml::value<std::string>(std::string(to_name(access(config)))));
  };
  return field;
}

std::optional<std::string> cluster_id_problem(std::string_view text) {
  if (text.empty()) return "is empty";
  if (text.size() > 64) return fmt::format("is {} characters long", text.size());
  for (char c : text) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-';
    if (!allowed) return fmt::format("contains '{}'", c);
  }
  return std::nullopt;
}

std::optional<std::string> data_dir_problem(std::string_view text) {
  if (text.empty()) return "is empty";
  if (text.find('\0') != std::string_view::npos) return "contains a NUL character";
  return std::nullopt;
}

// Bounds shared by every queue: one slot at least, and no capacity so large
// that a full queue alone could exhaust memory.
constexpr IntegerBounds kQueueBounds{1, 1 << 20, ""};

std::vector<ConfigField> make_fields() {
  std::vector<ConfigField> fields;
  auto add = [&fields](ConfigField field) { fields.push_back(std::move(field)); };

  // [node] ------------------------------------------------------------------
  add(integer_field("node.id", {1, kInt64Max, ""},
                    [](auto& c) -> auto& { return c.node.id; }));
  add(text_field("node.cluster_id", cluster_id_problem,
                 "1..64 characters of letters, digits, '.', '_' and '-'",
                 [](auto& c) -> auto& { return c.node.cluster_id; }));
  add(text_field("node.data_dir", data_dir_problem, "a non-empty path",
                 [](auto& c) -> auto& { return c.node.data_dir; }));

  // [listen] ----------------------------------------------------------------
  add(address_field("listen.client_address", AddressUse::kListen,
                    [](auto& c) -> auto& { return c.listen.client_address; }));
  add(address_field("listen.peer_address", AddressUse::kListen,
                    [](auto& c) -> auto& { return c.listen.peer_address; }));
  add(address_field("listen.metrics_address", AddressUse::kListen,
                    [](auto& c) -> auto& { return c.listen.metrics_address; }));

  // [cluster] ---------------------------------------------------------------
  add(cluster_members_field());
  add(boolean_field("cluster.forward_writes",
                    [](auto& c) -> auto& { return c.cluster.forward_writes; }));

  // [limits] ----------------------------------------------------------------
  add(integer_field("limits.key_bytes_max", {1, static_cast<int64_t>(64 * kKiB), "bytes"},
                    [](auto& c) -> auto& { return c.limits.key_bytes_max; }));
  add(integer_field("limits.value_bytes_max", {1, static_cast<int64_t>(kGiB), "bytes"},
                    [](auto& c) -> auto& { return c.limits.value_bytes_max; }));
  add(integer_field("limits.inline_value_bytes_max", {0, static_cast<int64_t>(16 * kMiB), "bytes"},
                    [](auto& c) -> auto& { return c.limits.inline_value_bytes_max; }));
  add(integer_field("limits.range_keys_max", {1, 1000000, "keys"},
                    [](auto& c) -> auto& { return c.limits.range_keys_max; }));
  add(integer_field("limits.range_bytes_max", {1, static_cast<int64_t>(256 * kMiB), "bytes"},
                    [](auto& c) -> auto& { return c.limits.range_bytes_max; }));
  add(integer_field("limits.frame_bytes_max",
                    {static_cast<int64_t>(kFrameOverheadBytes + 1),
                     static_cast<int64_t>(kGiB + kFrameOverheadBytes), "bytes"},
                    [](auto& c) -> auto& { return c.limits.frame_bytes_max; }));
  add(integer_field("limits.request_deadline_ms_default", {1, 3600000, "ms"},
                    [](auto& c) -> auto& { return c.limits.request_deadline_ms_default; }));
  add(integer_field("limits.request_deadline_ms_max", {1, 3600000, "ms"},
                    [](auto& c) -> auto& { return c.limits.request_deadline_ms_max; }));

  // [queues] ----------------------------------------------------------------
  add(integer_field("queues.accept_backlog_connections", {1, 65535, ""},
                    [](auto& c) -> auto& { return c.queues.accept_backlog_connections; }));
  add(integer_field("queues.connections_max", kQueueBounds,
                    [](auto& c) -> auto& { return c.queues.connections_max; }));
  add(integer_field("queues.inflight_requests_per_connection_max", kQueueBounds,
                    [](auto& c) -> auto& { return c.queues.inflight_requests_per_connection_max; }));
  add(integer_field("queues.proposals_max", kQueueBounds,
                    [](auto& c) -> auto& { return c.queues.proposals_max; }));
  add(integer_field("queues.apply_entries_max", kQueueBounds,
                    [](auto& c) -> auto& { return c.queues.apply_entries_max; }));
  add(integer_field("queues.pending_reads_max", kQueueBounds,
                    [](auto& c) -> auto& { return c.queues.pending_reads_max; }));
  add(integer_field("queues.forwarded_writes_max", kQueueBounds,
                    [](auto& c) -> auto& { return c.queues.forwarded_writes_max; }));
  add(integer_field("queues.blob_transfers_max", kQueueBounds,
                    [](auto& c) -> auto& { return c.queues.blob_transfers_max; }));
  add(integer_field("queues.peer_outgoing_messages_max", kQueueBounds,
                    [](auto& c) -> auto& { return c.queues.peer_outgoing_messages_max; }));
  add(integer_field("queues.peer_outgoing_bytes_max",
                    {static_cast<int64_t>(kMiB), static_cast<int64_t>(16 * kGiB), "bytes"},
                    [](auto& c) -> auto& { return c.queues.peer_outgoing_bytes_max; }));
  add(integer_field("queues.write_values_bytes_max",
                    {static_cast<int64_t>(kMiB), static_cast<int64_t>(16 * kGiB), "bytes"},
                    [](auto& c) -> auto& { return c.queues.write_values_bytes_max; }));
  add(integer_field("queues.storage_writes_max", kQueueBounds,
                    [](auto& c) -> auto& { return c.queues.storage_writes_max; }));

  // [raft] ------------------------------------------------------------------
  add(integer_field("raft.tick_ms", {1, 60000, "ms"},
                    [](auto& c) -> auto& { return c.raft.tick_ms; }));
  add(integer_field("raft.election_timeout_ticks", {2, 1000, "ticks"},
                    [](auto& c) -> auto& { return c.raft.election_timeout_ticks; }));
  add(integer_field("raft.heartbeat_ticks", {1, 999, "ticks"},
                    [](auto& c) -> auto& { return c.raft.heartbeat_ticks; }));
  add(integer_field("raft.inflight_append_messages_max", {1, 65536, ""},
                    [](auto& c) -> auto& { return c.raft.inflight_append_messages_max; }));
  add(integer_field("raft.append_bytes_max", {static_cast<int64_t>(kKiB), static_cast<int64_t>(256 * kMiB), "bytes"},
                    [](auto& c) -> auto& { return c.raft.append_bytes_max; }));
  add(integer_field("raft.snapshot_interval_entries", {1, 1000000000, "entries"},
                    [](auto& c) -> auto& { return c.raft.snapshot_interval_entries; }));

  // [storage] ---------------------------------------------------------------
  add(boolean_field("storage.sync", [](auto& c) -> auto& { return c.storage.sync; }));
  add(integer_field("storage.blob_grace_ms", {0, 86400000, "ms"},
                    [](auto& c) -> auto& { return c.storage.blob_grace_ms; }));
  add(integer_field("storage.space_quota_bytes",
                    {static_cast<int64_t>(kMiB), static_cast<int64_t>(1024 * 1024 * kGiB), "bytes"},
                    [](auto& c) -> auto& { return c.storage.space_quota_bytes; }));

  // [log] -------------------------------------------------------------------
  add(choice_field<LogLevel>("log.level", log_level_names(), log_level_from_name,
                             log_level_name, [](auto& c) -> auto& { return c.log.level; }));
  add(choice_field<LogFormat>("log.format", log_format_names(), log_format_from_name,
                              log_format_name, [](auto& c) -> auto& { return c.log.format; }));

  // [metrics] ---------------------------------------------------------------
  constexpr IntegerBounds kApdexBounds{1, 600000, "ms"};
  add(integer_field("metrics.apdex_threshold_ms", kApdexBounds,
                    [](auto& c) -> auto& { return c.metrics.apdex_threshold_ms; }));
  add(integer_field("metrics.apdex_put_threshold_ms", kApdexBounds,
                    [](auto& c) -> auto& { return c.metrics.apdex_put_threshold_ms; }));
  add(integer_field("metrics.apdex_get_threshold_ms", kApdexBounds,
                    [](auto& c) -> auto& { return c.metrics.apdex_get_threshold_ms; }));
  add(integer_field("metrics.apdex_delete_threshold_ms", kApdexBounds,
                    [](auto& c) -> auto& { return c.metrics.apdex_delete_threshold_ms; }));
  add(integer_field("metrics.apdex_cas_threshold_ms", kApdexBounds,
                    [](auto& c) -> auto& { return c.metrics.apdex_cas_threshold_ms; }));
  add(integer_field("metrics.apdex_range_threshold_ms", kApdexBounds,
                    [](auto& c) -> auto& { return c.metrics.apdex_range_threshold_ms; }));
  add(integer_field("metrics.summary_window_seconds", {1, 3600, "seconds"},
                    [](auto& c) -> auto& { return c.metrics.summary_window_seconds; }));
  return fields;
}

std::string_view section_of(std::string_view path) {
  return path.substr(0, path.find('.'));
}

std::string_view leaf_of(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

}  // namespace

const std::vector<ConfigField>& config_fields() {
  static const std::vector<ConfigField> fields = make_fields();
  return fields;
}

const ConfigField* find_config_field(std::string_view path) {
  for (const ConfigField& field : config_fields()) {
    if (field.path == path) return &field;
  }
  return nullptr;
}

std::span<const std::string_view> config_section_names() { return kSectionNames; }

bool is_config_section(std::string_view path) {
  for (std::string_view section : kSectionNames) {
    if (section == path) return true;
  }
  return false;
}

std::string unknown_key_error(std::string_view where, std::string_view path) {
  std::vector<std::string_view> candidates;
  for (std::string_view section : kSectionNames) candidates.push_back(section);
  for (const ConfigField& field : config_fields()) candidates.push_back(field.path);

  // A key in the wrong section is found by its own name; a misspelt key by
  // the whole path.
  std::optional<std::string_view> hint = closest_name(path, candidates);
  if (!hint) {
    for (const ConfigField& field : config_fields()) {
      if (leaf_of(field.path) == leaf_of(path)) hint = field.path;
    }
  }
  if (hint) {
    return fmt::format("{}: {} is not a known setting; did you mean {}?", where, path, *hint);
  }
  std::string_view section = section_of(path);
  if (section != path && is_config_section(section)) {
    std::vector<std::string_view> keys;
    for (const ConfigField& field : config_fields()) {
      if (section_of(field.path) == section) keys.push_back(leaf_of(field.path));
    }
    return fmt::format("{}: {} is not a known setting; allowed keys in [{}] are {}", where, path,
                       section, fmt::join(keys, ", "));
  }
  return fmt::format("{}: {} is not a known setting; allowed sections are {}", where, path,
                     fmt::join(kSectionNames, ", "));
}

void insert_at_path(toml::table& root, std::string_view path, toml::node&& value) {
  toml::table* table = &root;
  size_t start = 0;
  for (size_t dot = path.find('.'); dot != std::string_view::npos;
       start = dot + 1, dot = path.find('.', start)) {
    std::string_view key = path.substr(start, dot - start);
    auto [it, inserted] = table->insert(key, toml::table{});
    table = it->second.as_table();
    QUOKKA_ASSERT(table != nullptr, "{} of {} is not a table", key, path);
  }
  table->insert_or_assign(path.substr(start), std::move(value));
}

}  // namespace quokka
