#include "client/bench/load_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "client/bench/bench_report.h"
#include "common/assert.h"

namespace quokka::client::bench {

// One target and the statistics of the requests it answered; only the
// target's I/O thread writes `window` while the target lives.
struct LoadGenerator::Connection {
  std::unique_ptr<KvTarget> target;
  WindowStatistics window;
};

struct LoadGenerator::LogicalClient {
  LogicalClient(const BenchOptions& options, uint32_t number, Connection& connection)
      : number(number), connection(connection), workload(options, number) {}

  const uint32_t number;
  Connection& connection;
  Workload workload;
  // Open loop: requests started so far (the next one's k).
  uint64_t started = 0;
};

LoadGenerator::LoadGenerator(BenchOptions options, std::ostream& progress)
    : options_(std::move(options)), progress_(progress) {}

LoadGenerator::~LoadGenerator() {
  // The scheduler first (its thread starts requests), then the Clients
  // (their destructors run the last callbacks, which touch the logical
  // clients), then the logical clients.
  scheduler_.reset();
  connections_.clear();
  logical_clients_.clear();
}

Status LoadGenerator::preload() {
  const uint64_t writers = std::min<uint64_t>(options_.keys, kPreloadWritersMax);
  progress_ << fmt::format("preloading {} keys of {} B with {} writers\n", options_.keys,
                           options_.value_size, writers)
            << std::flush;
  const Clock::time_point began = Clock::now();

  // Each writer puts keys w, w + writers, w + 2 * writers, ... one at a
  // time, chaining the next put from the previous one's callback.
  struct Writer {
    std::unique_ptr<KvTarget> target;
    std::unique_ptr<ValueGenerator> values;
    uint64_t next_key = 0;
  };
  std::mutex mutex;
  std::condition_variable done;
  uint64_t writers_left = writers;
  std::optional<ClientError> first_error;
  std::vector<Writer> pool(writers);
  // Streams past every logical client's, so preload values differ from
  // the run's.
  const uint64_t stream_base = uint64_t{options_.clients} + 1;
  for (uint64_t w = 0; w < writers; ++w) {
    Result<std::unique_ptr<KvTarget>> target =
        make_target(options_, static_cast<uint32_t>(w), 1);
    if (!target) return target.status();
    pool[w].target = std::move(target).value();
    pool[w].values = std::make_unique<ValueGenerator>(options_.value_size, stream_base + w,
                                                      options_.seed);
    pool[w].next_key = w;
  }

  std::function<void(Writer&)> put_next = [&](Writer& writer) {
    bool stop = false;
    {
      std::lock_guard lock(mutex);
      stop = first_error.has_value() || writer.next_key >= options_.keys;
      if (stop) --writers_left;
    }
    if (stop) {
      done.notify_all();
      return;
    }
    const uint64_t key = writer.next_key;
    writer.next_key += writers;
    writer.target->put(key_name(options_.key_prefix, key), writer.values->next(),
                       [&, &writer = writer](const TargetReply& reply) {
                         if (reply.error != nullptr) {
                           std::lock_guard lock(mutex);
                           if (!first_error) first_error = *reply.error;
                         }
                         put_next(writer);
                       });
  };
  for (Writer& writer : pool) put_next(writer);
  {
    // Bounded: every put ends by its deadline, and a failure stops them all.
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return writers_left == 0; });
  }
  pool.clear();
  if (first_error) {
    return Status(first_error->code,
                  "preloading the keys failed: " + first_error->to_string());
  }
  progress_ << fmt::format("preloaded in {:.2f} s\n",
                           std::chrono::duration<double>(Clock::now() - began).count())
            << std::flush;
  return Status::ok();
}

LoadGenerator::Clock::time_point LoadGenerator::due_time(const LogicalClient& logical) const {
  // Request k of logical client i: (i + k * clients) / rate seconds in.
  const double slot = static_cast<double>(logical.number) +
                      static_cast<double>(logical.started) * options_.clients;
  return start_ + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(slot / options_.rate));
}

void LoadGenerator::start_request(LogicalClient& logical, Clock::time_point started) {
  ++logical.started;
  Workload& workload = logical.workload;
  KvTarget& target = *logical.connection.target;
  const uint64_t key_index = workload.next_key_index();
  switch (workload.next_step()) {
    case Workload::Step::kPut:
      target.put(workload.key(key_index), workload.next_value(),
                 [this, &logical, started](const TargetReply& reply) {
                   finish_request(logical, started, reply);
                 });
      return;
    case Workload::Step::kGet:
      target.get(workload.key(key_index),
                 [this, &logical, started](const TargetReply& reply) {
                   finish_request(logical, started, reply);
                 });
      return;
    case Workload::Step::kCompareAndSwap:
      target.compare_and_swap(
          workload.key(key_index), workload.expected_revision(key_index),
          workload.next_value(),
          [this, &logical, started, key_index](const TargetReply& reply) {
            if (reply.error == nullptr || reply.error->code == ErrorCode::kCasMismatch) {
              logical.workload.learn_revision(key_index, reply.mod_revision);
            }
            finish_request(logical, started, reply);
          });
      return;
  }
}

void LoadGenerator::finish_request(LogicalClient& logical, Clock::time_point started,
                                   const TargetReply& reply) {
  // On the I/O thread of the logical client's target.
  const Clock::time_point now = Clock::now();
  if (now >= measure_start_ && now < measure_end_) {
    WindowStatistics& window = logical.connection.window;
    if (reply.error == nullptr) {
      window.record_success(now - started);
      if (reply.missing) ++window.missing;
    } else {
      window.record_failure(now - started, *reply.error);
    }
  }
  finished_.fetch_add(1, std::memory_order_relaxed);
  if (reply.error != nullptr) failed_.fetch_add(1, std::memory_order_relaxed);

  if (stopping_.load(std::memory_order_acquire)) {
    leave();
    return;
  }
  if (!options_.open_loop()) {
    // A refused client backs off before its next request, as an
    // application would; without the pause a thousand refused clients
    // would spin on the machine the nodes run on.
    if (reply.error != nullptr && reply.error->code == ErrorCode::kOverloaded) {
      if (!scheduler_->schedule(logical.number, now + kOverloadedPause)) leave();
      return;
    }
    start_request(logical, now);
    return;
  }
  const Clock::time_point due = due_time(logical);
  if (due <= now) {
    start_request(logical, due);
  } else if (!scheduler_->schedule(logical.number, due)) {
    leave();
  }
}

void LoadGenerator::leave() {
  active_.fetch_sub(1, std::memory_order_acq_rel);
}

void LoadGenerator::report_progress(Clock::time_point now, bool measuring) {
  const uint64_t finished = finished_.load(std::memory_order_relaxed);
  const uint64_t failed = failed_.load(std::memory_order_relaxed);
  const double interval = std::chrono::duration<double>(now - last_report_).count();
  const double rate =
      interval > 0 ? static_cast<double>(finished - last_finished_) / interval : 0.0;
  // The phase the interval began in: the tick at the end of the warmup
  // still reports warmup.
  const bool interval_measured = measuring && last_report_ >= measure_start_;
  progress_ << format_progress_line(now - start_, interval_measured, rate,
                                    failed - last_failed_,
                                    failed)
            << "\n"
            << std::flush;
  last_finished_ = finished;
  last_failed_ = failed;
  last_report_ = now;
}

Result<RunResult> LoadGenerator::run() {
  if (operation_needs_preload(options_.operation)) {
    Status preloaded = preload();
    if (!preloaded.is_ok()) return preloaded;
  }

  // Logical client i uses connection i % connections.
  const uint32_t per_connection =
      (options_.clients + options_.connections - 1) / options_.connections;
  for (uint32_t c = 0; c < options_.connections; ++c) {
    Result<std::unique_ptr<KvTarget>> target = make_target(options_, c, per_connection);
    if (!target) return target.status();
    auto connection = std::make_unique<Connection>();
    connection->target = std::move(target).value();
    connections_.push_back(std::move(connection));
  }
  for (uint32_t i = 0; i < options_.clients; ++i) {
    logical_clients_.push_back(std::make_unique<LogicalClient>(
        options_, i, *connections_[i % options_.connections]));
  }
  // Open loop: every start waits for its slot. Closed loop: a client
  // refused with OVERLOADED waits kOverloadedPause.
  scheduler_ = std::make_unique<StartScheduler>(
      [this](uint32_t number, Clock::time_point due) {
        start_request(*logical_clients_[number], due);
      });

  progress_ << fmt::format(
                   "{}: {} {} B, {} logical clients over {} connections, {:.1f} s warmup, "
                   "{:.1f} s measured\n",
                   bench_target_name(options_.target),
                   bench_operation_name(options_.operation), options_.value_size,
                   options_.clients, options_.connections,
                   std::chrono::duration<double>(options_.warmup).count(),
                   std::chrono::duration<double>(options_.duration).count())
            << std::flush;

  start_ = Clock::now();
  measure_start_ = start_ + std::chrono::duration_cast<Clock::duration>(options_.warmup);
  measure_end_ = measure_start_ + std::chrono::duration_cast<Clock::duration>(options_.duration);
  last_report_ = start_;
  active_.store(options_.clients, std::memory_order_release);
  for (auto& logical : logical_clients_) {
    if (!options_.open_loop()) {
      start_request(*logical, start_);
      continue;
    }
    const Clock::time_point due = due_time(*logical);
    if (due <= start_) {
      start_request(*logical, due);
    } else if (!scheduler_->schedule(logical->number, due)) {
      leave();
    }
  }

  // Progress every second; CPU time sampled at both ends of the window.
  CpuTime cpu_at_start;
  CpuTime cpu_at_end;
  bool measuring = false;
  Clock::time_point next_tick = start_ + std::chrono::seconds(1);
  for (;;) {
    const Clock::time_point boundary = measuring ? measure_end_ : measure_start_;
    std::this_thread::sleep_until(std::min(next_tick, boundary));
    const Clock::time_point now = Clock::now();
    if (!measuring && now >= measure_start_) {
      cpu_at_start = process_cpu_time();
      measuring = true;
    }
    if (measuring && now >= measure_end_) {
      cpu_at_end = process_cpu_time();
      if (now - last_report_ >= std::chrono::milliseconds(100)) report_progress(now, true);
      break;
    }
    if (now >= next_tick) {
      report_progress(now, measuring);
      next_tick += std::chrono::seconds(1);
    }
  }

  // Drain: no request starts any more; wait for the outstanding ones, at
  // most their deadline plus a grace period.
  stopping_.store(true, std::memory_order_release);
  const Clock::time_point drain_began = Clock::now();
  const uint64_t dropped = scheduler_->stop();
  active_.fetch_sub(dropped, std::memory_order_acq_rel);
  const Clock::time_point drain_bound = drain_began + options_.timeout + kDrainGrace;
  while (active_.load(std::memory_order_acquire) > 0 && Clock::now() < drain_bound) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  RunResult result;
  result.abandoned = active_.load(std::memory_order_acquire);
  result.drain = Clock::now() - drain_began;
  // Closing the targets fails whatever is left (SHUTTING_DOWN) and joins
  // their I/O threads, after which their statistics are safe to read here.
  for (auto& connection : connections_) {
    if (std::optional<ClientStats> stats = connection->target->client_stats()) {
      if (!result.client_stats) result.client_stats.emplace();
      result.client_stats->merge(*stats);
    }
    connection->target.reset();
  }

  result.options = options_;
  for (const auto& connection : connections_) result.window.merge(connection->window);
  result.window_length = measure_end_ - measure_start_;
  result.cpu = cpu_at_end - cpu_at_start;
  result.hardware_threads = std::thread::hardware_concurrency();
  progress_ << fmt::format("drained in {:.3f} s\n",
                           std::chrono::duration<double>(result.drain).count())
            << std::flush;
  return result;
}

}  // namespace quokka::client::bench
