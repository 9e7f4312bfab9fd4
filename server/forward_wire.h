#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "server/node/peer_message.h"

namespace quokka::server {

// A follower's forwarded write and the leader's answer on the wire
// (proto/peer.proto ForwardRequest, ForwardResponse). The request and the
// answer travel as the client's own messages (PutRequest, PutResponse, ...),
// so a forwarded write is encoded exactly as the client sent it.

// The ForwardRequest payload; deadline_ms above the wire's 32 bits is cut
// to them (about 49 days, far above any configurable deadline).
std::string encode_forward_request(const node::ForwardedWrite& forwarded);
// INVALID_ARGUMENT naming what is wrong for a payload that does not parse
// or carries no write.
Result<node::ForwardedWrite> decode_forward_request(std::string_view payload);

// The ForwardResponse payload. A NOT_LEADER hint carries the node id only:
// the follower fills in the client address it knows for that node.
std::string encode_forward_response(const node::ForwardedWriteAnswer& answer);
// INVALID_ARGUMENT for a payload that does not parse or carries no answer.
// An error code this build does not know becomes an indeterminate TIMEOUT
// that names it: the follower cannot tell what the leader decided.
Result<node::ForwardedWriteAnswer> decode_forward_response(std::string_view payload);

}  // namespace quokka::server
