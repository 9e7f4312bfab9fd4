#pragma once

#include <string_view>

#include "common/status.h"
#include "config/node_config.h"

namespace quokka {

// Applies one command-line override, spelled "section.field=value", e.g.
//
//   limits.value_bytes_max=1048576
//   node.data_dir=/var/lib/quokka
//   storage.sync=false
//   cluster.members=[{id=1, peer_address="127.0.0.1:7201", client_address="127.0.0.1:7101"}]
//
// The value is a TOML value; for text fields (strings, addresses, choices)
// the quotes may be left out. The field gets exactly the checks a config
// file gets and errors have the same shape, with "--set" as the source. On
// error `config` is unchanged. Cross-field rules are not checked here, since
// a later override may be the one that restores consistency: call
// validate() once all overrides are applied.
Status apply_override(NodeConfig& config, std::string_view assignment);

}  // namespace quokka
