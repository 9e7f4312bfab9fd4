#pragma once

#include <string>
#include <variant>
#include <vector>

#include "common/blob_id.h"
#include "server/consensus/message.h"

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

// What nodes send each other. quokkad maps it onto proto/peer.proto; the
// simulator passes it as it is.
using PeerMessage = std::variant<RaftPeerMessage, BlobRequest, BlobPush>;

// The sender's Lamport time, for log lines and clock merging.
uint64_t lamport_time_of(const PeerMessage& message);
// Bytes a message occupies, for bounded queues and flow control.
uint64_t byte_size(const PeerMessage& message);

}  // namespace quokka::node
