#pragma once

#include <string>
#include <variant>
#include <vector>

#include "common/blob_id.h"
#include "server/consensus/message.h"
#include "server/node/client_api.h"
#include "server/node/command.h"

namespace quokka::node {

// A value travelling with the append that first references it, so that the
// follower can persist blob and entry in one write batch (DESIGN.md "Write
// path", step 4).
struct InlineBlob {
  BlobId id;
  std::string bytes;
  bool operator==(const InlineBlob&) const = default;
};

// A Raft message and the values its entries reference that the receiver may
// lack (only for kAppend).
struct RaftPeerMessage {
  consensus::Message raft;
  std::vector<InlineBlob> blobs;
  bool operator==(const RaftPeerMessage&) const = default;
};

// A node lacks values that an append or a snapshot references, and asks the
// sender for them.
struct BlobRequest {
  std::vector<BlobId> ids;
  bool operator==(const BlobRequest&) const = default;
};

// Values sent on their own, ahead of the append that needs them (values
// above the inline limit) or in answer to a BlobRequest. The receiver checks
// every value against its id before keeping it.
struct BlobPush {
  std::vector<InlineBlob> blobs;
  bool operator==(const BlobPush&) const = default;
};

// A follower passes a client's write on to the leader it knows (DESIGN.md
// "Write path" 1). The request keeps the client's (client id, seq), so the
// leader's session table makes it exactly-once like any client write, and
// carries what is left of the client's deadline: relative, because the two
// nodes' monotonic clocks are not comparable. The leader never passes a
// forwarded write on again; if it no longer leads it answers NOT_LEADER.
struct ForwardedWrite {
  // Chosen by the follower, unique within its incarnation.
  uint64_t forward_id = 0;
  // The follower's incarnation (NodeOptions::incarnation), echoed in the
  // answer, so that an answer meant for an earlier run of the follower is
  // never taken for one of this run's forwards with the same id.
  uint64_t incarnation = 0;
  // A Put, Delete or CompareAndSwap.
  ClientRequest request;
  // Milliseconds left until the client's deadline when it was sent.
  uint64_t deadline_ms = 0;
};

// The leader's answer to a ForwardedWrite, exactly as it would have
// answered the client; the follower relays it unchanged.
struct ForwardedWriteAnswer {
  uint64_t forward_id = 0;
  uint64_t incarnation = 0;
  // The kind of write answered, so the answer travels as its response.
  CommandType type = CommandType::kPut;
  ClientResponse response;
};

// What nodes send each other. quokkad maps it onto proto/peer.proto; the
// simulator passes it as it is.
using PeerMessage = std::variant<RaftPeerMessage, BlobRequest, BlobPush, ForwardedWrite,
                                 ForwardedWriteAnswer>;

// The sender's Lamport time, for log lines and clock merging.
uint64_t lamport_time_of(const PeerMessage& message);
// Bytes a message occupies, for bounded queues and flow control.
uint64_t byte_size(const PeerMessage& message);

}  // namespace quokka::node
