#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "server/consensus/conf_state.h"
#include "storage/state_snapshot.h"

namespace quokka::node {

// The bytes of a consensus snapshot's data: the replicated state (pointers,
// the values' ids, node records) at its applied index. The values themselves
// travel separately (BlobRequest / BlobPush) before the receiver installs it.
std::string encode_state_snapshot(const StateSnapshot& snapshot);
Result<StateSnapshot> decode_state_snapshot(std::string_view data);

// A membership configuration as a node record.
std::string encode_conf_state(const consensus::ConfState& conf);
Result<consensus::ConfState> decode_conf_state(std::string_view data);

}  // namespace quokka::node
