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

// One Client and the statistics of the requests it answered; only the
// Client's I/O thread writes `window` while the Client lives.
struct LoadGenerator::Connection {
  std::unique_ptr<Client> client;
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

Result<std::unique_ptr<Client>> LoadGenerator::make_client(uint32_t outstanding_max) const {
  ClientOptions client_options;
  client_options.endpoints = options_.endpoints;
  client_options.request_deadline_default = options_.timeout;
  client_options.connect_timeout = std::min(options_.timeout, std::chrono::milliseconds(2000));
  // One silent node must leave time to try the next within the deadline.
  client_options.retry.attempt_timeout =
      std::max(std::chrono::milliseconds(1),
               std::min(client_options.retry.attempt_timeout, options_.timeout / 2));
  client_options.outstanding_requests_max = std::max<uint32_t>(1, outstanding_max);
  client_options.agent = "quokka-bench";
  return Client::create(std::move(client_options));
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
    std::unique_ptr<Client> client;
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
    Result<std::unique_ptr<Client>> client = make_client(1);
    if (!client) return client.status();
    pool[w].client = std::move(client).value();
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
    writer.client->put_async(
        key_name(options_.key_prefix, key), writer.values->next(),
        [&, &writer = writer](ClientResult<PutResult> result) {
          if (!result) {
            std::lock_guard lock(mutex);
            if (!first_error) first_error = result.error();
          }
          put_next(writer);
        },
        RequestOptions{.deadline = options_.timeout});
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

GetOptions LoadGenerator::get_options() const {
  GetOptions get;
  get.consistency = options_.consistency;
  get.deadline = options_.timeout;
  return get;
}

void LoadGenerator::start_request(LogicalClient& logical, Clock::time_point started) {
  ++logical.started;
  Workload& workload = logical.workload;
  Client& client = *logical.connection.client;
  const uint64_t key_index = workload.next_key_index();
  switch (workload.next_step()) {
    case Workload::Step::kPut:
      client.put_async(
          workload.key(key_index), workload.next_value(),
          [this, &logical, started](ClientResult<PutResult> result) {
            finish_request(logical, started, result ? nullptr : &result.error(), false);
          },
          RequestOptions{.deadline = options_.timeout});
      return;
    case Workload::Step::kGet:
      client.get_async(
          workload.key(key_index),
          [this, &logical, started](ClientResult<GetResult> result) {
            finish_request(logical, started, result ? nullptr : &result.error(),
                           result && !result->kv.has_value());
          },
          get_options());
      return;
    case Workload::Step::kCompareAndSwap:
      client.compare_and_swap_async(
          workload.key(key_index), workload.expected_revision(key_index),
          workload.next_value(),
          [this, &logical, started, key_index](ClientResult<CompareAndSwapResult> result) {
            if (result) {
              logical.workload.learn_revision(key_index, result->kv.mod_revision);
            } else if (result.error().code == ErrorCode::kCasMismatch) {
              logical.workload.learn_revision(key_index, result.error().actual_mod_revision);
            }
            finish_request(logical, started, result ? nullptr : &result.error(), false);
          },
          RequestOptions{.deadline = options_.timeout});
      return;
  }
}

void LoadGenerator::finish_request(LogicalClient& logical, Clock::time_point started,
                                   const ClientError* error, bool missing) {
  // On the I/O thread of the logical client's Client.
  const Clock::time_point now = Clock::now();
  if (now >= measure_start_ && now < measure_end_) {
    WindowStatistics& window = logical.connection.window;
    if (error == nullptr) {
      window.record_success(now - started);
      if (missing) ++window.missing;
    } else {
      window.record_failure(now - started, *error);
    }
  }
  finished_.fetch_add(1, std::memory_order_relaxed);
  if (error != nullptr) failed_.fetch_add(1, std::memory_order_relaxed);

  if (stopping_.load(std::memory_order_acquire)) {
    leave();
    return;
  }
  if (!options_.open_loop()) {
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
    Result<std::unique_ptr<Client>> client = make_client(per_connection);
    if (!client) return client.status();
    auto connection = std::make_unique<Connection>();
    connection->client = std::move(client).value();
    connections_.push_back(std::move(connection));
  }
  for (uint32_t i = 0; i < options_.clients; ++i) {
    logical_clients_.push_back(std::make_unique<LogicalClient>(
        options_, i, *connections_[i % options_.connections]));
  }
  if (options_.open_loop()) {
    scheduler_ = std::make_unique<StartScheduler>(
        [this](uint32_t number, Clock::time_point due) {
          start_request(*logical_clients_[number], due);
        });
  }

  progress_ << fmt::format(
                   "{} {} B, {} logical clients over {} connections, {:.1f} s warmup, "
                   "{:.1f} s measured\n",
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
  if (scheduler_) {
    const uint64_t dropped = scheduler_->stop();
    active_.fetch_sub(dropped, std::memory_order_acq_rel);
  }
  const Clock::time_point drain_bound = drain_began + options_.timeout + kDrainGrace;
  while (active_.load(std::memory_order_acquire) > 0 && Clock::now() < drain_bound) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  RunResult result;
  result.abandoned = active_.load(std::memory_order_acquire);
  result.drain = Clock::now() - drain_began;
  // Closing the Clients fails whatever is left (SHUTTING_DOWN) and joins
  // their I/O threads, after which their statistics are safe to read here.
  for (auto& connection : connections_) connection->client.reset();

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
