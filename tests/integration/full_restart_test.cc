// Every node stopped with SIGTERM (each exits 0) and started again on the
// same data directories: every acknowledged write is intact, deletes stay
// deleted, and revisions continue where they stopped.
#include <iostream>
#include <map>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "client/client.h"
#include "tests/integration/client_result_assertions.h"
#include "tests/integration/process_cluster.h"
#include "tests/integration/write_load.h"

namespace quokka::integration {
namespace {

using namespace std::chrono_literals;

// quokkad gives in-flight requests up to 3 s after SIGTERM, and a leader
// first hands over leadership.
constexpr auto kStopBound = 10s;

// Every key under `prefix` with its value, read linearizably.
std::map<std::string, std::string> read_all(client::Client& client, const std::string& prefix) {
  std::map<std::string, std::string> all;
  client::RangeOptions options;
  options.deadline = 10s;
  while (true) {
    auto page = client.range(client::KeyRange::prefix(prefix), options);
    EXPECT_TRUE(page.is_ok()) << page.error().to_string();
    if (!page.is_ok()) return all;
    for (const client::KeyValue& kv : page->kvs) all[kv.key] = kv.value;
    if (!page->more) return all;
    options.continuation_key = page->continuation_key;
  }
}

TEST(FullRestartTest, EveryAcknowledgedWriteSurvivesRestartingAllNodes) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  ASSERT_TRUE(cluster.wait_for_leader(15s).has_value()) << cluster.last_status_report();

  // A known state: puts, overwrites, a swap, deletes.
  std::map<std::string, std::string> expected;
  Revision newest;
  {
    std::unique_ptr<client::Client> client = cluster.make_client();
    for (int i = 0; i < 40; ++i) {
      const std::string key = "state/" + std::to_string(i);
      auto put = client->put(key, "first " + std::to_string(i));
      QUOKKA_ASSERT_OK(put);
      expected[key] = "first " + std::to_string(i);
      if (i % 3 == 0) {
        auto overwrite = client->put(key, "second " + std::to_string(i));
        QUOKKA_ASSERT_OK(overwrite);
        expected[key] = "second " + std::to_string(i);
      }
      if (i % 5 == 0) {
        auto deleted = client->del(key);
        QUOKKA_ASSERT_OK(deleted);
        expected.erase(key);
      }
    }
    auto current = client->get("state/1");
    QUOKKA_ASSERT_OK(current);
    auto swapped = client->compare_and_swap("state/1", current->kv->mod_revision, "swapped");
    QUOKKA_ASSERT_OK(swapped);
    expected["state/1"] = "swapped";
    newest = swapped->kv.mod_revision;
  }

  // Writes still arriving while the nodes are told to stop: those
  // acknowledged must survive too.
  WriteLoad load([&cluster] { return cluster.make_client(); }, 2, "late");
  load.start();
  std::this_thread::sleep_for(300ms);
  std::vector<std::thread> stoppers;
  std::vector<::testing::AssertionResult> stopped(cluster.size(), ::testing::AssertionSuccess());
  const auto stop_started = std::chrono::steady_clock::now();
  for (NodeId id : cluster.node_ids()) {
    stoppers.emplace_back([&cluster, &stopped, id] {
      stopped[id.value() - 1] = cluster.terminate(id, kStopBound);
    });
  }
  for (std::thread& stopper : stoppers) stopper.join();
  std::cout << "all nodes stopped after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - stop_started)
                   .count()
            << " ms\n";
  load.stop();
  for (const ::testing::AssertionResult& result : stopped) EXPECT_TRUE(result);

  for (NodeId id : cluster.node_ids()) {
    ASSERT_FALSE(cluster.running(id));
    ASSERT_TRUE(cluster.restart(id));
  }
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();

  std::unique_ptr<client::Client> client = cluster.make_client();
  EXPECT_EQ(read_all(*client, "state/"), expected);
  EXPECT_TRUE(check_writes_survived(*client, "late", load.writes()));
  std::cout << load.acknowledged() << " writes acknowledged around the stop\n";

  // Every node has it all, not only the leader.
  for (NodeId id : cluster.node_ids()) {
    std::unique_ptr<client::Client> local = cluster.make_client({id});
    client::GetOptions stale;
    stale.consistency = client::Consistency::kStale;
    stale.min_revision = newest;
    auto read = local->get("state/1", stale);
    QUOKKA_ASSERT_OK(read);
    ASSERT_TRUE(read->kv.has_value()) << "node " << id;
    EXPECT_EQ(read->kv->value, "swapped") << "node " << id;
  }

  // Revisions continue after the restart; they never start over.
  auto after = client->put("state/after-restart", "x");
  QUOKKA_ASSERT_OK(after);
  EXPECT_GT(after->kv.mod_revision, newest);
  for (const LoadWrite& write : load.writes()) {
    if (write.acknowledged) {
      EXPECT_GT(after->kv.mod_revision, write.revision);
    }
  }
}

}  // namespace
}  // namespace quokka::integration
