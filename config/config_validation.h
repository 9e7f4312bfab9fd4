#pragma once

#include "common/status.h"
#include "config/node_config.h"

namespace quokka {

// The rules that involve more than one field, checked once every source
// (file, overrides) has been applied:
//   - cluster.members: unique ids, unique addresses, node.id among them;
//   - listen: the three addresses differ; a non-wildcard listen address
//     equals what the members list advertises for this node;
//   - raft.heartbeat_ticks < raft.election_timeout_ticks;
//   - limits: a set inline_value_bytes_max <= value_bytes_max (an unset one
//     is capped at it), a set frame_bytes_max >= the larger of
//     value_bytes_max and range_bytes_max plus 64 KiB, an AppendEntries
//     message fits in a frame, an inline value fits in an AppendEntries
//     message;
//     request_deadline_ms_default <= request_deadline_ms_max.
// Field-by-field checks (types, ranges, syntax) happen as values are read.
// Errors (INVALID_ARGUMENT) list every broken rule, one per line, with the
// origin of the values involved.
Status validate(const NodeConfig& config);

}  // namespace quokka
