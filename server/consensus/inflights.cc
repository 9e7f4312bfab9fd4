#include "server/consensus/inflights.h"

#include "common/assert.h"

namespace quokka::consensus {

void Inflights::add(LogIndex last_index, uint64_t bytes) {
  QUOKKA_ASSERT(!full(), "an append was sent into a full window");
  QUOKKA_ASSERT(messages_.empty() || messages_.back().last_index < last_index,
                "in-flight appends must ascend; {} after {}", last_index.value(),
                messages_.back().last_index.value());
  messages_.push_back({last_index, bytes});
  bytes_ += bytes;
}

void Inflights::free_through(LogIndex index) {
  while (!messages_.empty() && messages_.front().last_index <= index) {
    bytes_ -= messages_.front().bytes;
    messages_.pop_front();
  }
}

void Inflights::free_first() {
  if (messages_.empty()) return;
  bytes_ -= messages_.front().bytes;
  messages_.pop_front();
}

void Inflights::reset() {
  messages_.clear();
  bytes_ = 0;
}

}  // namespace quokka::consensus
