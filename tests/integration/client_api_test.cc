// The client API against a real three-node cluster: every operation through
// every node (followers forward writes to the leader by default; with
// cluster.forward_writes = false they refuse them with NOT_LEADER and a hint
// the client follows), stale and linearizable reads on followers, and
// over-limit values refused with TOO_LARGE naming the limit.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "client/client.h"
#include "tests/integration/client_result_assertions.h"
#include "tests/integration/process_cluster.h"

namespace quokka::integration {
namespace {

using namespace std::chrono_literals;
using client::Consistency;
using client::GetOptions;
using client::KeyRange;
using client::RangeOptions;

constexpr uint64_t kValueBytesMax = 1048576;

std::vector<NodeId> followers_of(const ProcessCluster& cluster, NodeId leader) {
  std::vector<NodeId> followers;
  for (NodeId id : cluster.node_ids()) {
    if (id != leader) followers.push_back(id);
  }
  return followers;
}

std::vector<std::string> keys_of(const client::RangeResult& page) {
  std::vector<std::string> keys;
  for (const client::KeyValue& kv : page.kvs) keys.push_back(kv.key);
  return keys;
}

TEST(ClientApiTest, EveryOperationWorksThroughEveryNode) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();

  for (NodeId node : cluster.node_ids()) {
    SCOPED_TRACE("through node " + std::to_string(node.value()));
    // A client that knows only this node: a follower forwards its writes
    // to the leader, so it needs no hint.
    std::unique_ptr<client::Client> client = cluster.make_client({node});
    const std::string prefix = "node" + std::to_string(node.value()) + "/";

    auto first = client->put(prefix + "a", "one");
    QUOKKA_ASSERT_OK(first);
    EXPECT_EQ(first->header.node, leader->id) << "a write is answered by the leader";
    EXPECT_EQ(first->header.endpoint, cluster.client_endpoint(node));
    EXPECT_EQ(first->kv.version, 1u);
    EXPECT_GT(first->kv.mod_revision.value(), 0u);
    EXPECT_EQ(client->stats().of(client::Operation::kPut).leader_hints_followed, 0u);

    auto read = client->get(prefix + "a");
    QUOKKA_ASSERT_OK(read);
    ASSERT_TRUE(read->kv.has_value());
    EXPECT_EQ(read->kv->value, "one");
    EXPECT_EQ(read->kv->mod_revision, first->kv.mod_revision);

    auto second = client->put(prefix + "a", "two");
    QUOKKA_ASSERT_OK(second);
    EXPECT_EQ(second->kv.version, 2u);
    EXPECT_GT(second->kv.mod_revision, first->kv.mod_revision);
    EXPECT_EQ(second->kv.create_revision, first->kv.mod_revision);

    // CompareAndSwap on a stale revision fails definitely and says which
    // revision the key has; on the current one it succeeds.
    auto stale_swap = client->compare_and_swap(prefix + "a", first->kv.mod_revision, "three");
    ASSERT_FALSE(stale_swap.is_ok());
    EXPECT_EQ(stale_swap.error().code, ErrorCode::kCasMismatch) << stale_swap.error().to_string();
    EXPECT_TRUE(stale_swap.error().definite());
    EXPECT_EQ(stale_swap.error().actual_mod_revision, second->kv.mod_revision);
    auto swap = client->compare_and_swap(prefix + "a", second->kv.mod_revision, "three");
    QUOKKA_ASSERT_OK(swap);
    EXPECT_GT(swap->kv.mod_revision, second->kv.mod_revision);

    // Revision 0 means "create only if absent".
    auto create = client->compare_and_swap(prefix + "c", Revision(0), "created");
    QUOKKA_ASSERT_OK(create);
    auto create_again = client->compare_and_swap(prefix + "c", Revision(0), "again");
    ASSERT_FALSE(create_again.is_ok());
    EXPECT_EQ(create_again.error().code, ErrorCode::kCasMismatch);
    EXPECT_EQ(create_again.error().actual_mod_revision, create->kv.mod_revision);

    auto b = client->put(prefix + "b", "bee");
    QUOKKA_ASSERT_OK(b);
    auto deleted = client->del(prefix + "b");
    QUOKKA_ASSERT_OK(deleted);
    EXPECT_TRUE(deleted->existed);
    auto deleted_again = client->del(prefix + "b");
    QUOKKA_ASSERT_OK(deleted_again);
    EXPECT_FALSE(deleted_again->existed);
    auto gone = client->get(prefix + "b");
    QUOKKA_ASSERT_OK(gone);
    EXPECT_FALSE(gone->kv.has_value()) << "a deleted key reads as absent";

    auto page = client->range(KeyRange::prefix(prefix));
    QUOKKA_ASSERT_OK(page);
    EXPECT_EQ(keys_of(*page), (std::vector<std::string>{prefix + "a", prefix + "c"}));
    ASSERT_EQ(page->kvs.size(), 2u);
    EXPECT_EQ(page->kvs[0].value, "three");
    EXPECT_EQ(page->kvs[1].value, "created");
    EXPECT_FALSE(page->more);

    // One key per page: the continuation key walks the same keys.
    RangeOptions paged;
    paged.limit = 1;
    auto page1 = client->range(KeyRange::prefix(prefix), paged);
    QUOKKA_ASSERT_OK(page1);
    EXPECT_EQ(keys_of(*page1), (std::vector<std::string>{prefix + "a"}));
    ASSERT_TRUE(page1->more);
    paged.continuation_key = page1->continuation_key;
    auto page2 = client->range(KeyRange::prefix(prefix), paged);
    QUOKKA_ASSERT_OK(page2);
    EXPECT_EQ(keys_of(*page2), (std::vector<std::string>{prefix + "c"}));
    EXPECT_FALSE(page2->more);

    auto interval = client->range(KeyRange::interval(prefix + "a", prefix + "c"));
    QUOKKA_ASSERT_OK(interval);
    EXPECT_EQ(keys_of(*interval), (std::vector<std::string>{prefix + "a"}));
  }

  // Each node's writes are visible through every other node.
  for (NodeId node : cluster.node_ids()) {
    std::unique_ptr<client::Client> client = cluster.make_client({node});
    auto everything = client->range(KeyRange::prefix(""));
    QUOKKA_ASSERT_OK(everything);
    EXPECT_EQ(everything->kvs.size(), 2 * cluster.size()) << "through node " << node;
  }
}

TEST(ClientApiTest, FollowerRefusesWritesWithNotLeaderAndTheClientFollowsTheHint) {
  ProcessClusterOptions options;
  options.settings = {"cluster.forward_writes=false"};
  ProcessCluster cluster(options);
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  const NodeId follower = followers_of(cluster, leader->id).front();

  client::ClientOptions one_attempt;
  one_attempt.retry.attempts_max = 1;
  std::unique_ptr<client::Client> stubborn = cluster.make_client({follower}, one_attempt);
  auto refused = stubborn->put("k", "v");
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotLeader) << refused.error().to_string();
  EXPECT_TRUE(refused.error().definite()) << "a follower's refusal means it did not happen";
  EXPECT_EQ(refused.error().endpoint, cluster.client_endpoint(follower));
  auto absent = stubborn->get("k");
  QUOKKA_ASSERT_OK(absent);
  EXPECT_FALSE(absent->kv.has_value()) << "a refused write left state behind";

  std::unique_ptr<client::Client> client = cluster.make_client({follower});
  auto written = client->put("k", "v");
  QUOKKA_ASSERT_OK(written);
  EXPECT_EQ(written->header.endpoint, cluster.client_endpoint(leader->id));
  EXPECT_EQ(written->header.node, leader->id);
  EXPECT_EQ(client->stats().of(client::Operation::kPut).leader_hints_followed, 1u);
}

TEST(ClientApiTest, FollowersServeStaleAndLinearizableReads) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  std::unique_ptr<client::Client> writer = cluster.make_client({leader->id});

  for (int round = 0; round < 5; ++round) {
    const std::string value = "value-" + std::to_string(round);
    auto written = writer->put("key", value);
    QUOKKA_ASSERT_OK(written);
    for (NodeId follower : followers_of(cluster, leader->id)) {
      SCOPED_TRACE("follower " + std::to_string(follower.value()) + ", round " +
                   std::to_string(round));
      std::unique_ptr<client::Client> reader = cluster.make_client({follower});
      // Read-your-writes on a follower: a stale read with min_revision
      // waits until the follower has applied the write, then answers
      // from its own state.
      GetOptions stale;
      stale.consistency = Consistency::kStale;
      stale.min_revision = written->kv.mod_revision;
      auto stale_read = reader->get("key", stale);
      QUOKKA_ASSERT_OK(stale_read);
      ASSERT_TRUE(stale_read->kv.has_value());
      EXPECT_EQ(stale_read->kv->value, value);
      EXPECT_EQ(stale_read->header.node, follower) << "a stale read is served locally";
      EXPECT_GE(stale_read->header.revision, written->kv.mod_revision);

      // A linearizable read through the follower sees the acknowledged
      // write at once, without a min_revision.
      auto linearizable = reader->get("key");
      QUOKKA_ASSERT_OK(linearizable);
      ASSERT_TRUE(linearizable->kv.has_value());
      EXPECT_EQ(linearizable->kv->value, value);
      EXPECT_EQ(linearizable->kv->mod_revision, written->kv.mod_revision);

      RangeOptions stale_range;
      stale_range.consistency = Consistency::kStale;
      stale_range.min_revision = written->kv.mod_revision;
      auto range = reader->range(KeyRange::prefix("key"), stale_range);
      QUOKKA_ASSERT_OK(range);
      ASSERT_EQ(range->kvs.size(), 1u);
      EXPECT_EQ(range->kvs[0].value, value);
    }
  }
}

TEST(ClientApiTest, OverLimitValueIsRefusedWithTooLargeNamingTheLimit) {
  ProcessCluster cluster(
      {.settings = {"limits.value_bytes_max=" + std::to_string(kValueBytesMax)}});
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  const std::string limit_text = std::to_string(kValueBytesMax);
  const std::string over_limit(kValueBytesMax + 1, 'x');

  // A client configured with larger limits than the cluster's sends the
  // value; the node refuses it.
  std::unique_ptr<client::Client> unaware = cluster.make_client();
  auto refused = unaware->put("big", over_limit);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kTooLarge) << refused.error().to_string();
  EXPECT_TRUE(refused.error().definite());
  EXPECT_FALSE(refused.error().endpoint.empty()) << "the node, not the client, refused it";
  EXPECT_NE(refused.error().message.find(limit_text), std::string::npos)
      << "the message should name the limit: " << refused.error().message;
  EXPECT_NE(refused.error().message.find(std::to_string(over_limit.size())), std::string::npos)
      << "the message should name the size: " << refused.error().message;
  auto absent = unaware->get("big");
  QUOKKA_ASSERT_OK(absent);
  EXPECT_FALSE(absent->kv.has_value()) << "a refused value left state behind";

  // A client that knows the limits refuses before sending anything.
  client::ClientOptions aware_options;
  aware_options.limits.value_bytes_max = kValueBytesMax;
  std::unique_ptr<client::Client> aware = cluster.make_client({}, aware_options);
  auto refused_locally = aware->put("big", over_limit);
  ASSERT_FALSE(refused_locally.is_ok());
  EXPECT_EQ(refused_locally.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(refused_locally.error().attempts, 0u);
  EXPECT_NE(refused_locally.error().message.find(limit_text), std::string::npos)
      << refused_locally.error().message;

  // A key over the key limit (4096 bytes by default), likewise.
  auto long_key = aware->put(std::string(4097, 'k'), "v");
  ASSERT_FALSE(long_key.is_ok());
  EXPECT_EQ(long_key.error().code, ErrorCode::kTooLarge);
  EXPECT_NE(long_key.error().message.find("4096"), std::string::npos) << long_key.error().message;

  // A value exactly at the limit is stored, and every node returns it byte
  // for byte.
  std::string at_limit(kValueBytesMax, '\0');
  for (size_t i = 0; i < at_limit.size(); ++i) at_limit[i] = static_cast<char>(i * 131 % 251);
  auto stored = aware->put("big", at_limit);
  QUOKKA_ASSERT_OK(stored);
  for (NodeId node : cluster.node_ids()) {
    std::unique_ptr<client::Client> reader = cluster.make_client({node});
    GetOptions stale;
    stale.consistency = Consistency::kStale;
    stale.min_revision = stored->kv.mod_revision;
    auto read = reader->get("big", stale);
    QUOKKA_ASSERT_OK(read);
    ASSERT_TRUE(read->kv.has_value());
    EXPECT_EQ(read->kv->value_size, kValueBytesMax);
    EXPECT_TRUE(read->kv->value == at_limit) << "node " << node << " returned other bytes";
  }
}

}  // namespace
}  // namespace quokka::integration
