#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "client/bench/bench_options.h"
#include "client/bench/cpu_usage.h"
#include "client/bench/kv_target.h"
#include "client/bench/start_scheduler.h"
#include "client/bench/window_statistics.h"
#include "client/bench/workload.h"
#include "client/client.h"
#include "common/status.h"

namespace quokka::client::bench {

// What a run measured.
struct RunResult {
  BenchOptions options;
  // Requests that finished inside the measured window.
  WindowStatistics window;
  std::chrono::nanoseconds window_length{0};
  // The generator's own CPU time over the window.
  CpuTime cpu;
  unsigned hardware_threads = 0;
  // Requests still unanswered when the drain bound passed (the Clients
  // then failed them with SHUTTING_DOWN); 0 in a healthy run.
  uint64_t abandoned = 0;
  std::chrono::nanoseconds drain{0};
  // The client library's own statistics over the whole run (warmup
  // included), summed over the connections; quokka only.
  std::optional<ClientStats> client_stats;
};

// The load: `clients` logical clients over `connections` targets (a quokka
// Client, or an etcd gRPC channel, each with its own I/O thread). Each
// logical client has one request outstanding at a time. Closed loop: it
// sends the next request when the previous one is answered. Open loop
// (--rate): request k of logical client i is due at
// start + (i + k * clients) / rate, and its latency counts from that due
// time, so a slow answer that delays the next request shows in the
// latencies instead of hiding (no coordinated omission).
//
// Phases: preload (get and mixed), warmup, the measured window, drain.
// Only requests that finish inside the window count. The run ends on its
// own: after the window no request starts, and the drain waits at most the
// request timeout plus a second before the Clients are closed.
class LoadGenerator {
 public:
  using Clock = std::chrono::steady_clock;
  // Extra wait past the request timeout for the last callbacks.
  static constexpr std::chrono::seconds kDrainGrace{1};
  // Closed loop: the pause of a logical client after an OVERLOADED answer.
  static constexpr std::chrono::milliseconds kOverloadedPause{10};
  // Preload writers (each a connection with one write in flight).
  static constexpr uint64_t kPreloadWritersMax = 32;

  // `progress` gets a line per second and the phase changes.
  LoadGenerator(BenchOptions options, std::ostream& progress);
  ~LoadGenerator();

  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Preloads (when the operation reads), runs, drains. An error only when
  // the Clients cannot be created or the preload fails.
  Result<RunResult> run();

 private:
  struct Connection;
  struct LogicalClient;

  Status preload();
  void start_request(LogicalClient& logical, Clock::time_point started);
  void finish_request(LogicalClient& logical, Clock::time_point started,
                      const TargetReply& reply);
  Clock::time_point due_time(const LogicalClient& logical) const;
  void leave();
  void report_progress(Clock::time_point now, bool measuring);

  const BenchOptions options_;
  std::ostream& progress_;

  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<LogicalClient>> logical_clients_;
  std::unique_ptr<StartScheduler> scheduler_;

  // Fixed before the first request starts.
  Clock::time_point start_;
  Clock::time_point measure_start_;
  Clock::time_point measure_end_;

  std::atomic<bool> stopping_{false};
  // Logical clients with a request outstanding or waiting in the scheduler.
  std::atomic<uint64_t> active_{0};
  // Every phase, for the progress lines.
  std::atomic<uint64_t> finished_{0};
  std::atomic<uint64_t> failed_{0};
  uint64_t last_finished_ = 0;
  uint64_t last_failed_ = 0;
  Clock::time_point last_report_;
};

}  // namespace quokka::client::bench
