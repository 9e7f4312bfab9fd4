#include "client/bench/start_scheduler.h"

#include <utility>

namespace quokka::client::bench {

StartScheduler::StartScheduler(Start start)
    : start_(std::move(start)), thread_([this] { run(); }) {}

StartScheduler::~StartScheduler() { stop(); }

bool StartScheduler::schedule(uint32_t logical_client, Clock::time_point due) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return false;
    waiting_.push(Entry{.due = due, .logical_client = logical_client});
  }
  wake_.notify_one();
  return true;
}

uint64_t StartScheduler::stop() {
  uint64_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    dropped = waiting_.size();
    waiting_ = {};
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  return dropped;
}

void StartScheduler::run() {
  std::unique_lock lock(mutex_);
  while (!stopped_) {
    if (waiting_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const Entry next = waiting_.top();
    if (Clock::now() < next.due) {
      wake_.wait_until(lock, next.due);
      continue;
    }
    waiting_.pop();
    // Start outside the lock: the request's callback may schedule again.
    lock.unlock();
    start_(next.logical_client, next.due);
    lock.lock();
  }
}

}  // namespace quokka::client::bench
