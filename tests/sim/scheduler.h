#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

namespace quokka::sim {

// The simulator's only clock: a discrete-event scheduler over simulated
// milliseconds. Events run in time order; events due at the same
// millisecond run in the order they were scheduled (a sequence number breaks
// the tie), so a run depends on nothing but the seed. Nothing here reads a
// real clock or sleeps.
class Scheduler {
 public:
  using Event = std::function<void()>;

  uint64_t now_ms() const { return now_ms_; }

  // Runs `event` at `time_ms` (not before now).
  void at(uint64_t time_ms, Event event);
  void after(uint64_t delay_ms, Event event) { at(now_ms_ + delay_ms, std::move(event)); }

  // Runs every event due at or before `time_ms`, then sets the clock to it.
  void run_until(uint64_t time_ms);
  // Runs events until `done()` holds (checked after each event) or the
  // clock would pass `time_ms`. Returns whether `done()` held.
  bool run_until(uint64_t time_ms, const std::function<bool()>& done);

  uint64_t events_run() const { return events_run_; }
  size_t pending() const { return queue_.size(); }

 private:
  // Runs the earliest event if it is due at or before `time_ms`.
  bool run_one(uint64_t time_ms);

  uint64_t now_ms_ = 0;
  uint64_t next_sequence_ = 0;
  uint64_t events_run_ = 0;
  // (time, sequence) -> event; ordered, so iteration is deterministic.
  std::map<std::pair<uint64_t, uint64_t>, Event> queue_;
};

}  // namespace quokka::sim
