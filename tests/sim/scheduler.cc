#include "tests/sim/scheduler.h"

#include "common/assert.h"

namespace quokka::sim {

void Scheduler::at(uint64_t time_ms, Event event) {
  QUOKKA_ASSERT(time_ms >= now_ms_, "event at {} scheduled in the past (now {})",
                time_ms, now_ms_);
  queue_.emplace(std::make_pair(time_ms, next_sequence_++), std::move(event));
}

bool Scheduler::run_one(uint64_t time_ms) {
  if (queue_.empty()) return false;
  auto first = queue_.begin();
  if (first->first.first > time_ms) return false;
  now_ms_ = first->first.first;
  Event event = std::move(first->second);
  queue_.erase(first);
  ++events_run_;
  event();
  return true;
}

void Scheduler::run_until(uint64_t time_ms) {
  while (run_one(time_ms)) {
  }
  if (time_ms > now_ms_) now_ms_ = time_ms;
}

bool Scheduler::run_until(uint64_t time_ms, const std::function<bool()>& done) {
  if (done()) return true;
  while (run_one(time_ms)) {
    if (done()) return true;
  }
  if (time_ms > now_ms_) now_ms_ = time_ms;
  return done();
}

}  // namespace quokka::sim
