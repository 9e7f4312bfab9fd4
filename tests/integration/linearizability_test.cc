// Several real clients (threads, each with its own Client) run reads,
// writes, swaps and deletes on a few keys while nodes are killed, paused,
// stopped and restarted; the recorded history must be linearizable.
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "client/client.h"
#include "tests/integration/process_cluster.h"
#include "tests/sim/checker/history_recorder.h"
#include "tests/sim/checker/linearizability_checker.h"

namespace quokka::integration {
namespace {

using namespace std::chrono_literals;

constexpr size_t kClients = 4;
constexpr int kKeys = 6;

// A HistoryRecorder shared by threads: each call takes the time (monotonic
// microseconds) under the lock, so a completion recorded before an invoke
// has the smaller tick.
class SharedRecorder {
 public:
  template <typename Invoke>
  sim::OperationId invoke(Invoke&& invoke) {
    std::lock_guard<std::mutex> lock(mutex_);
    return invoke(recorder_, monotonic_micros());
  }
  template <typename Complete>
  void complete(Complete&& complete) {
    std::lock_guard<std::mutex> lock(mutex_);
    complete(recorder_, monotonic_micros());
  }
  sim::History history() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return recorder_.history();
  }

 private:
  mutable std::mutex mutex_;
  sim::HistoryRecorder recorder_;
};

// Records a failed operation: definite (did not happen) or not.
void record_failure(SharedRecorder& recorder, sim::OperationId id,
                    const client::ClientError& error) {
  recorder.complete([&](sim::HistoryRecorder& r, uint64_t tick) {
    if (error.definite()) {
      r.complete_fail(id, tick, error.code);
    } else {
      r.complete_info(id, tick, error.code);
    }
  });
}

// One client's workload: random operations on kKeys keys, every written
// value unique ("c<client>-<n>"), compare-and-swap on the last revision
// this client saw for the key (sometimes on "absent").
void run_client(ProcessCluster& cluster, SharedRecorder& recorder, size_t index,
                const std::atomic<bool>& stopping, std::atomic<uint64_t>& operations) {
  client::ClientOptions options;
  options.request_deadline_default = 4000ms;
  options.retry.attempt_timeout = 1000ms;
  std::unique_ptr<client::Client> client = cluster.make_client({}, options);
  const sim::ClientId client_id(index + 1);
  std::mt19937_64 random(1000 + index);
  std::map<std::string, Revision> seen;
  for (uint64_t n = 0; !stopping; ++n) {
    const std::string key = fmt::format("register/{}", random() % kKeys);
    const std::string value = fmt::format("c{}-{}", index, n);
    const uint64_t choice = random() % 100;
    if (choice < 40) {
      const sim::OperationId id = recorder.invoke([&](sim::HistoryRecorder& r, uint64_t tick) {
        return r.invoke_get(client_id, key, tick);
      });
      auto result = client->get(key);
      if (!result.is_ok()) {
        record_failure(recorder, id, result.error());
        continue;
      }
      std::optional<std::string> read;
      Revision revision;
      if (result->kv) {
        read = result->kv->value;
        revision = result->kv->mod_revision;
        seen[key] = revision;
      }
      recorder.complete([&](sim::HistoryRecorder& r, uint64_t tick) {
        r.complete_get_ok(id, tick, read, revision);
      });
    } else if (choice < 75) {
      const sim::OperationId id = recorder.invoke([&](sim::HistoryRecorder& r, uint64_t tick) {
        return r.invoke_put(client_id, key, value, tick);
      });
      auto result = client->put(key, value);
      if (!result.is_ok()) {
        record_failure(recorder, id, result.error());
        continue;
      }
      seen[key] = result->kv.mod_revision;
      recorder.complete([&](sim::HistoryRecorder& r, uint64_t tick) {
        r.complete_write_ok(id, tick, result->kv.mod_revision);
      });
    } else if (choice < 92) {
      const Revision expected = random() % 4 == 0 ? Revision(0) : seen[key];
      const sim::OperationId id = recorder.invoke([&](sim::HistoryRecorder& r, uint64_t tick) {
        return r.invoke_compare_and_swap(client_id, key, expected, value, tick);
      });
      auto result = client->compare_and_swap(key, expected, value);
      if (!result.is_ok()) {
        if (result.error().code == ErrorCode::kCasMismatch) {
          seen[key] = result.error().actual_mod_revision;
        }
        record_failure(recorder, id, result.error());
        continue;
      }
      seen[key] = result->kv.mod_revision;
      recorder.complete([&](sim::HistoryRecorder& r, uint64_t tick) {
        r.complete_write_ok(id, tick, result->kv.mod_revision);
      });
    } else {
      const sim::OperationId id = recorder.invoke([&](sim::HistoryRecorder& r, uint64_t tick) {
        return r.invoke_delete(client_id, key, tick);
      });
      auto result = client->del(key);
      if (!result.is_ok()) {
        record_failure(recorder, id, result.error());
        continue;
      }
      seen.erase(key);
      // A delete's revision is not used by the checker.
      recorder.complete([&](sim::HistoryRecorder& r, uint64_t tick) {
        r.complete_write_ok(id, tick, Revision(0));
      });
    }
    ++operations;
  }
}

TEST(LinearizabilityTest, HistoryUnderKillsAndPausesIsLinearizable) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  ASSERT_TRUE(cluster.wait_for_leader(15s).has_value()) << cluster.last_status_report();

  SharedRecorder recorder;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> operations{0};
  // Joined on every way out of the test, a failed assertion included.
  struct Joiner {
    std::atomic<bool>& stopping;
    std::vector<std::thread> threads;
    void join() {
      stopping = true;
      for (std::thread& thread : threads) thread.join();
      threads.clear();
    }
    ~Joiner() { join(); }
  } clients{stopping, {}};
  for (size_t i = 0; i < kClients; ++i) {
    clients.threads.emplace_back(
        [&, i] { run_client(cluster, recorder, i, stopping, operations); });
  }
  std::string faults;
  auto log_fault = [&faults](const std::string& what) {
    faults += fmt::format("  {:>6} ms  {}\n", monotonic_micros() / 1000, what);
  };
  auto current_leader = [&cluster](const std::set<NodeId>& excluded = {}) {
    std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s, excluded);
    EXPECT_TRUE(leader.has_value()) << cluster.last_status_report();
    return leader ? leader->id : NodeId(1);
  };

  std::this_thread::sleep_for(1500ms);
  // 1. kill -9 the leader; bring it back once the others have a new one.
  NodeId victim = current_leader();
  log_fault(fmt::format("kill -9 node {} (leader)", victim.value()));
  cluster.kill(victim);
  current_leader({victim});
  std::this_thread::sleep_for(500ms);
  log_fault(fmt::format("restart node {}", victim.value()));
  ASSERT_TRUE(cluster.restart(victim));
  std::this_thread::sleep_for(1500ms);

  // 2. SIGSTOP the leader past the election timeout, then SIGCONT.
  victim = current_leader();
  log_fault(fmt::format("SIGSTOP node {} (leader)", victim.value()));
  cluster.pause(victim);
  current_leader({victim});
  std::this_thread::sleep_for(1000ms);
  log_fault(fmt::format("SIGCONT node {}", victim.value()));
  cluster.resume(victim);
  std::this_thread::sleep_for(1500ms);

  // 3. kill -9 a follower, restart it.
  const NodeId leader = current_leader();
  victim = NodeId(leader.value() % cluster.size() + 1);
  log_fault(fmt::format("kill -9 node {} (follower)", victim.value()));
  cluster.kill(victim);
  std::this_thread::sleep_for(1500ms);
  log_fault(fmt::format("restart node {}", victim.value()));
  ASSERT_TRUE(cluster.restart(victim));
  std::this_thread::sleep_for(1000ms);

  // 4. SIGTERM the leader (it hands over), restart it.
  victim = current_leader();
  log_fault(fmt::format("SIGTERM node {} (leader)", victim.value()));
  EXPECT_TRUE(cluster.terminate(victim, 10s));
  std::this_thread::sleep_for(500ms);
  log_fault(fmt::format("restart node {}", victim.value()));
  ASSERT_TRUE(cluster.restart(victim));
  std::this_thread::sleep_for(1500ms);

  clients.join();

  // Final reads of every key, in the history too.
  ASSERT_TRUE(cluster.wait_for_leader(15s).has_value()) << cluster.last_status_report();
  std::unique_ptr<client::Client> reader = cluster.make_client();
  for (int k = 0; k < kKeys; ++k) {
    const std::string key = fmt::format("register/{}", k);
    const sim::OperationId id = recorder.invoke([&](sim::HistoryRecorder& r, uint64_t tick) {
      return r.invoke_get(sim::ClientId(kClients + 1), key, tick);
    });
    auto result = reader->get(key);
    ASSERT_TRUE(result.is_ok()) << result.error().to_string();
    std::optional<std::string> read;
    Revision revision;
    if (result->kv) {
      read = result->kv->value;
      revision = result->kv->mod_revision;
    }
    recorder.complete([&](sim::HistoryRecorder& r, uint64_t tick) {
      r.complete_get_ok(id, tick, read, revision);
    });
  }

  const sim::History history = recorder.history();
  size_t ok = 0;
  size_t failed = 0;
  size_t indeterminate = 0;
  for (const sim::Operation& operation : history) {
    if (operation.outcome == sim::Outcome::kOk) ++ok;
    if (operation.outcome == sim::Outcome::kFail) ++failed;
    if (operation.outcome == sim::Outcome::kInfo) ++indeterminate;
  }
  const auto check_started = std::chrono::steady_clock::now();
  const sim::CheckResult result = sim::check_linearizability(history);
  const auto check_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - check_started)
                            .count();
  std::cout << "history: " << history.size() << " operations (" << ok << " ok, " << failed
            << " failed, " << indeterminate << " indeterminate) on " << kKeys << " keys by "
            << kClients << " clients; verdict " << sim::verdict_name(result.verdict) << " in "
            << check_ms << " ms (" << result.statistics.search_steps << " search steps)\n"
            << "faults:\n"
            << faults;
  EXPECT_GT(ok, 100u) << "too little happened to judge";
  if (result.verdict == sim::Verdict::kUnknown) {
    std::cout << "NOTE: the checker hit its search limits; no violation was found, but "
                 "the history is not proven linearizable: "
              << result.explanation << "\n";
    return;
  }
  if (result.verdict != sim::Verdict::kOk) {
    std::string operations_text;
    for (size_t position : result.operations) {
      operations_text += "  " + sim::describe_operation(position, history[position]) + "\n";
    }
    ADD_FAILURE() << "verdict " << sim::verdict_name(result.verdict) << " on key \""
                  << result.key << "\":\n"
                  << result.explanation << "\n"
                  << operations_text;
  }
}

}  // namespace
}  // namespace quokka::integration
