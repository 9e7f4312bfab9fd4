#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace quokka::client::bench {

// The open loop's clock: holds logical clients whose next request is due
// later and starts each at its time, on one thread of its own. Bounded by
// the number of logical clients (each waits here at most once at a time).
class StartScheduler {
 public:
  using Clock = std::chrono::steady_clock;
  // Starts logical client `logical_client`'s request intended for `due`.
  using Start = std::function<void(uint32_t logical_client, Clock::time_point due)>;

  explicit StartScheduler(Start start);
  // Stops (dropping what waits) and joins the thread.
  ~StartScheduler();

  StartScheduler(const StartScheduler&) = delete;
  StartScheduler& operator=(const StartScheduler&) = delete;

  // False once stopped: the caller keeps the logical client.
  bool schedule(uint32_t logical_client, Clock::time_point due);
  // Drops every waiting start and joins the thread; returns how many were
  // dropped. Idempotent.
  uint64_t stop();

 private:
  struct Entry {
    Clock::time_point due;
    uint32_t logical_client;
    bool operator>(const Entry& other) const { return due > other.due; }
  };

  void run();

  Start start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> waiting_;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace quokka::client::bench
