// kill -9 of the leader under a write load: the survivors elect a new
// leader and accept writes within about twice the election timeout, and
// every acknowledged write is still there afterwards.
#include <algorithm>
#include <iostream>
#include <thread>

#include <gtest/gtest.h>

#include "client/client.h"
#include "tests/integration/client_result_assertions.h"
#include "tests/integration/process_cluster.h"
#include "tests/integration/write_load.h"

namespace quokka::integration {
namespace {

using namespace std::chrono_literals;

// A follower campaigns at most 2E after the last heartbeat it heard; one
// vote round on loopback takes milliseconds. The slack absorbs a loaded
// test machine (and, for the write, the client's retry backoff).
constexpr auto kLeaderBound = 2 * kElectionTimeout + 1000ms;
constexpr auto kFirstWriteBound = 2 * kElectionTimeout + 2000ms;

// Waits (bounded) until `done` holds; false on timeout.
template <typename Predicate>
bool eventually(std::chrono::milliseconds timeout, Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(LeaderCrashTest, NewLeaderTakesWritesSoonAndNoAcknowledgedWriteIsLost) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> old_leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(old_leader.has_value()) << cluster.last_status_report();

  WriteLoad load([&cluster] { return cluster.make_client(); }, 3, "load");
  load.start();
  ASSERT_TRUE(eventually(10s, [&load] { return load.acknowledged() >= 30; }))
      << "the load made no progress before the crash";

  const size_t acknowledged_before = load.acknowledged();
  const uint64_t killed_at = monotonic_micros();
  cluster.kill(old_leader->id);

  const std::optional<LeaderInfo> new_leader = cluster.wait_for_leader(15s, {old_leader->id});
  const uint64_t elected_at = monotonic_micros();
  ASSERT_TRUE(new_leader.has_value()) << cluster.last_status_report();
  EXPECT_NE(new_leader->id, old_leader->id);
  EXPECT_GT(new_leader->term, old_leader->term);

  uint64_t first_write_at = 0;
  ASSERT_TRUE(eventually(15s, [&] {
    first_write_at = load.first_acknowledged_after(killed_at);
    return first_write_at != 0;
  })) << "no write was acknowledged after the leader died";

  const auto election = std::chrono::microseconds(elected_at - killed_at);
  const auto first_write = std::chrono::microseconds(first_write_at - killed_at);
  std::cout << "leader " << old_leader->id << " killed; node " << new_leader->id
            << " leads term " << new_leader->term << " after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(election).count()
            << " ms; first acknowledged write after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(first_write).count()
            << " ms (election timeout " << kElectionTimeout.count() << " ms)\n";
  EXPECT_LE(election, kLeaderBound);
  EXPECT_LE(first_write, kFirstWriteBound);

  // Some more writes under the new leader, then stop.
  const size_t acknowledged_at_election = load.acknowledged();
  EXPECT_TRUE(eventually(10s, [&] { return load.acknowledged() >= acknowledged_at_election + 30; }))
      << "the load stalled under the new leader";
  load.stop();
  const std::vector<LoadWrite> writes = load.writes();
  EXPECT_GT(load.acknowledged(), acknowledged_before);

  std::unique_ptr<client::Client> survivors = cluster.make_client();
  EXPECT_TRUE(check_writes_survived(*survivors, "load", writes));

  // The killed node comes back on its data directory, catches up, and
  // serves the same data.
  ASSERT_TRUE(cluster.restart(old_leader->id));
  Revision newest;
  for (const LoadWrite& write : writes) {
    if (write.acknowledged) newest = std::max(newest, write.revision);
  }
  std::unique_ptr<client::Client> returned = cluster.make_client({old_leader->id});
  client::GetOptions caught_up;
  caught_up.consistency = client::Consistency::kStale;
  caught_up.min_revision = newest;
  caught_up.deadline = 15s;
  auto read = returned->get("load/0/000000", caught_up);
  QUOKKA_ASSERT_OK(read);
  EXPECT_GE(read->header.revision, newest);
  EXPECT_EQ(read->header.node, old_leader->id);
  EXPECT_TRUE(check_writes_survived(*returned, "load", writes)) << "through the restarted node";
}

}  // namespace
}  // namespace quokka::integration
