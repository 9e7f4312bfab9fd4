#pragma once

#include "common/status.h"
#include "server/node/client_api.h"
#include "server/node/node_options.h"

namespace quokka::node {

// Checks a request against the limits before anything happens, so an
// over-limit request leaves no state behind: TOO_LARGE naming the limit and
// the actual size, INVALID_ARGUMENT naming what is malformed.
Status validate_request(const ClientRequest& request, const NodeLimits& limits);

}  // namespace quokka::node
