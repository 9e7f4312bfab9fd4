#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/node_config.h"

namespace quokka {

// The configuration as a TOML document that parse_config() reads back to an
// equal NodeConfig: every field, including defaults. For `quokkad
// --print-config` and for logging the effective settings at start-up.
std::string to_toml(const NodeConfig& config);

// The dotted path of every configurable field, in documentation order, e.g.
// "limits.value_bytes_max"; "cluster.members" stands for the member list.
std::vector<std::string_view> config_field_paths();

}  // namespace quokka
