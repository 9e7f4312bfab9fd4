#include "server/peer_outbox.h"

#include "common/assert.h"

namespace quokka::server {

const PeerOutbox::Queued* PeerOutbox::front() const {
  if (!control_.empty()) return &control_.front();
  if (!bulk_.empty()) return &bulk_.front();
  return nullptr;
}

PeerOutbox::Queued* PeerOutbox::front() {
  return const_cast<Queued*>(static_cast<const PeerOutbox&>(*this).front());
}

PeerOutbox::Queued PeerOutbox::pop() {
  QUOKKA_ASSERT(!empty(), "pop from an empty peer outbox");
  return remove_front(control_.empty() ? bulk_ : control_);
}

PeerOutbox::Queued PeerOutbox::drop_front() {
  ++dropped_;
  return pop();
}

PeerOutbox::Queued PeerOutbox::remove_front(std::deque<Queued>& lane) {
  Queued queued = std::move(lane.front());
  lane.pop_front();
  bytes_ -= queued.bytes;
  if (&lane == &bulk_) bulk_bytes_ -= queued.bytes;
  return queued;
}

}  // namespace quokka::server
