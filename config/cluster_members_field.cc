// The one field that is not a scalar: cluster.members, an array of tables
// written as [[cluster.members]] blocks (or inline in an override). The list
// is replaced as a whole, so a file or override always states the complete
// membership rather than patching someone else's.

#include <array>
#include <limits>

#include <fmt/format.h>

#include "config/closest_name.h"
#include "config/config_schema.h"

namespace quokka {
namespace {

constexpr std::string_view kPath = "cluster.members";
constexpr std::array<std::string_view, 3> kMemberKeys = {"id", "peer_address", "client_address"};
constexpr IntegerBounds kIdBounds{1, std::numeric_limits<int64_t>::max(), ""};

struct ParsedMember {
  ClusterMember member;
  // (path, origin) of each key, recorded once the whole list is accepted.
  std::vector<std::pair<std::string, std::string>> origins;
};

std::optional<ParsedMember> parse_member(const toml::node& element, size_t index,
                                         const SourceLocator& locate, ConfigErrors& errors) {
  std::string member_path = fmt::format("{}[{}]", kPath, index);
  std::string member_where = locate.at(element.source());
  const toml::table* table = element.as_table();
  if (table == nullptr) {
    errors.add(wrong_type_error(member_where, member_path, element,
                                "a table {id = ..., peer_address = ..., client_address = ...}"));
    return std::nullopt;
  }
  size_t errors_before = errors.size();
  ParsedMember parsed;
  std::array<bool, kMemberKeys.size()> seen{};
  for (auto [key_entry, value_entry] : in_document_order(*table)) {
    const toml::key& key = *key_entry;
    const toml::node& value = *value_entry;
    std::string path = fmt::format("{}.{}", member_path, key.str());
    std::string where = locate.at(key.source());
    if (key.str() == "id") {
      seen[0] = true;
      if (auto id = check_integer(value, path, where, kIdBounds, errors)) {
        parsed.member.id = NodeId(static_cast<uint64_t>(*id));
      }
    } else if (key.str() == "peer_address") {
      seen[1] = true;
      if (auto address = check_address(value, path, where, AddressUse::kDial, errors)) {
        parsed.member.peer_address = std::move(*address);
      }
    } else if (key.str() == "client_address") {
      seen[2] = true;
      if (auto address = check_address(value, path, where, AddressUse::kDial, errors)) {
        parsed.member.client_address = std::move(*address);
      }
    } else {
      std::string hint;
      if (auto near = closest_name(key.str(), kMemberKeys)) {
        hint = fmt::format("did you mean {}?", *near);
      } else {
        hint = fmt::format("allowed keys are {}", fmt::join(kMemberKeys, ", "));
      }
      errors.add(fmt::format("{}: {} is not a known setting; {}", where, path, hint));
      continue;
    }
    parsed.origins.emplace_back(std::move(path), where);
  }
  // A member has no useful defaults: an address guessed for another node
  // would be wrong, so every key must be written out.
  for (size_t i = 0; i < kMemberKeys.size(); ++i) {
    if (!seen[i]) {
      errors.add(fmt::format("{}: {}.{} is missing; every member needs {}", member_where,
                             member_path, kMemberKeys[i], fmt::join(kMemberKeys, ", ")));
    }
  }
  if (errors.size() != errors_before) return std::nullopt;
  parsed.origins.emplace_back(member_path, member_where);
  return parsed;
}

}  // namespace

ConfigField cluster_members_field() {
  ConfigField field;
  field.path = kPath;
  field.expected = "an array of tables ([[cluster.members]] blocks)";
  field.assign = [](const toml::node& value, const std::string& where,
                    const SourceLocator& locate, NodeConfig& config, ConfigErrors& errors) {
    const toml::array* array = value.as_array();
    if (array == nullptr) {
      errors.add(wrong_type_error(where, kPath, value,
                                  "an array of tables ([[cluster.members]] blocks)"));
      return;
    }
    if (array->size() < ClusterConfig::kMembersMin || array->size() > ClusterConfig::kMembersMax) {
      errors.add(field_error(where, kPath, toml_value_text(value),
                             fmt::format("has {} members", array->size()),
                             fmt::format("{}..{} members", ClusterConfig::kMembersMin,
                                         ClusterConfig::kMembersMax)));
      return;
    }
    std::vector<ParsedMember> parsed;
    for (size_t i = 0; i < array->size(); ++i) {
      if (auto member = parse_member(*array->get(i), i, locate, errors)) {
        parsed.push_back(std::move(*member));
      }
    }
    if (parsed.size() != array->size()) return;

    config.cluster.members.clear();
    config.origins.forget_prefix(kPath);
    config.origins.record(std::string(kPath), where);
    for (ParsedMember& member : parsed) {
      config.cluster.members.push_back(std::move(member.member));
      for (auto& [path, origin] : member.origins) {
        config.origins.record(std::move(path), std::move(origin));
      }
    }
  };
  field.render = [](const NodeConfig& config, toml::table& root) {
    toml::array members;
    for (const ClusterMember& member : config.cluster.members) {
      members.push_back(toml::table{
          {"id", static_cast<int64_t>(member.id.value())},
          {"peer_address", member.peer_address.to_string()},
          {"client_address", member.client_address.to_string()},
      });
    }
    insert_at_path(root, kPath, std::move(members));
  };
  return field;
}

}  // namespace quokka
