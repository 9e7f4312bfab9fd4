#include "server/node/peer_message.h"

namespace quokka::node {

uint64_t lamport_time_of(const PeerMessage& message) {
  if (const auto* raft = std::get_if<RaftPeerMessage>(&message)) {
    return raft->raft.lamport_time;
  }
  return 0;
}

uint64_t byte_size(const PeerMessage& message) {
  constexpr uint64_t kHeaderBytes = 64;
  uint64_t total = kHeaderBytes;
  auto add_blobs = [&](const std::vector<InlineBlob>& blobs) {
    for (const InlineBlob& blob : blobs) total += BlobId::kSize + blob.bytes.size();
  };
  if (const auto* raft = std::get_if<RaftPeerMessage>(&message)) {
    total += raft->raft.entries_bytes() + raft->raft.context.size();
    if (raft->raft.snapshot) total += raft->raft.snapshot->data.size();
    add_blobs(raft->blobs);
  } else if (const auto* request = std::get_if<BlobRequest>(&message)) {
    total += request->ids.size() * BlobId::kSize;
  } else if (const auto* push = std::get_if<BlobPush>(&message)) {
    add_blobs(push->blobs);
  } else if (const auto* forwarded = std::get_if<ForwardedWrite>(&message)) {
    total += request_bytes(forwarded->request);
  } else if (const auto* answer = std::get_if<ForwardedWriteAnswer>(&message)) {
    total += answer->response.status.message().size();
    if (answer->response.kv) total += answer->response.kv->key.size();
  }
  return total;
}

}  // namespace quokka::node
