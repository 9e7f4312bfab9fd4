#include "server/peer_outbox.h"

#include "common/assert.h"

namespace quokka::server {

bool PeerOutbox::is_bulk(proto::MessageKind kind) {
  return kind == proto::MESSAGE_KIND_BLOB_CHUNK || kind == proto::MESSAGE_KIND_FORWARD_REQUEST;
}

const PeerOutbox::Queued* PeerOutbox::front() const {
  if (!raft_.empty()) return &raft_.front();
  if (!bulk_.empty()) return &bulk_.front();
  return nullptr;
}

PeerOutbox::Queued PeerOutbox::pop() {
  QUOKKA_ASSERT(!empty(), "pop from an empty peer outbox");
  Queued queued = raft_.empty() ? std::move(bulk_.front()) : std::move(raft_.front());
  (raft_.empty() ? bulk_ : raft_).pop_front();
  bytes_ -= queued.bytes;
  return queued;
}

PeerOutbox::Queued PeerOutbox::take(std::deque<Queued>& lane) {
  Queued queued = std::move(lane.front());
  lane.pop_front();
  bytes_ -= queued.bytes;
  ++dropped_;
  return queued;
}

}  // namespace quokka::server
