#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "proto/envelope.pb.h"
#include "server/node/peer_message.h"

namespace quokka::server {

// Node-to-node messages on the wire (proto/peer.proto). A RaftPeerMessage is
// a RaftMessage with its inline values; a BlobPush is one BlobChunk per
// value (the whole value: frames carry value limit + 64 KiB); a BlobRequest
// is a BlobAck "send from 0" per value; a ForwardedWrite is a
// ForwardRequest and its answer a ForwardResponse (forward_wire.h).

// One envelope's kind and payload.
struct WireMessage {
  proto::MessageKind kind;
  std::string payload;
};

// The envelopes for `message`: one for a Raft message, one per value for a
// push or a request. Takes the message to move its bytes into the wire's.
std::vector<WireMessage> encode_peer_message(node::PeerMessage message);

// The message an envelope carries (with `lamport_time` from the envelope),
// or INVALID_ARGUMENT naming what is malformed: an unknown kind, a payload
// that does not parse, a hash that is not 32 bytes.
Result<node::PeerMessage> decode_peer_message(const proto::Envelope& envelope);

}  // namespace quokka::server
