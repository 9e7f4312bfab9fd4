#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "proto/client.pb.h"
#include "proto/envelope.pb.h"
#include "proto/errors.pb.h"
#include "server/node/client_api.h"

namespace quokka::server {

// A client request read off the wire.
struct ClientCall {
  node::ClientRequest request;
  // Relative deadline the client asked for; 0 means the node's default.
  uint64_t deadline_ms = 0;
  // The response's message kind.
  proto::MessageKind response_kind = proto::MESSAGE_KIND_UNSPECIFIED;
  // Status requests are answered by the server itself, not the node.
  bool is_status = false;
};

// INVALID_ARGUMENT naming what is wrong for a payload that does not parse
// or a kind that is not a client request.
Result<ClientCall> decode_client_request(const proto::Envelope& envelope);

// The response payload of `kind` for `response`; a NOT_LEADER hint names
// `leader_address` (the leader's client address) when it is not empty.
std::string encode_client_response(proto::MessageKind kind, const node::ClientResponse& response,
                                   std::string_view leader_address);

// An Error message for `status`; `indeterminate` decides Error.definite.
void fill_error(const Status& status, bool indeterminate, proto::Error& error);

// A client's write as the node takes it, from its wire message (a client's
// call, or a follower's ForwardRequest).
// Takes the key and value out of a put or a compare-and-swap rather than
// copying a value of up to a frame's size once more.
node::ClientRequest write_request_from_wire(proto::PutRequest&& wire);
node::ClientRequest write_request_from_wire(const proto::DeleteRequest& wire);
node::ClientRequest write_request_from_wire(proto::CompareAndSwapRequest&& wire);

// The wire response to a write; a NOT_LEADER hint names `leader_address`
// when it is not empty (a leader answering a forward leaves it empty: the
// follower knows the addresses).
void fill_write_response(const node::ClientResponse& response, std::string_view leader_address,
                         proto::PutResponse& wire);
void fill_write_response(const node::ClientResponse& response, std::string_view leader_address,
                         proto::DeleteResponse& wire);
void fill_write_response(const node::ClientResponse& response, std::string_view leader_address,
                         proto::CompareAndSwapResponse& wire);

}  // namespace quokka::server
