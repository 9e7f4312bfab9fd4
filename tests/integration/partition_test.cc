// A network partition: every directed peer link of a three-node cluster
// passes through its own TcpProxy, and one node is cut off from the other
// two, both ways (its client port stays reachable). A client that talks
// only to that minority node gets a definite refusal within its deadline,
// never a hang and never an acknowledged write; the majority keeps taking
// writes; after the cut heals, the minority node catches up and serves the
// majority's writes on linearizable reads. When the cut node was the
// leader, CheckQuorum makes it step down, and nothing written through it
// after the cut is ever applied.
#include <algorithm>
#include <chrono>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "client/client.h"
#include "tests/integration/client_result_assertions.h"
#include "tests/integration/process_cluster.h"
#include "tests/integration/tcp_proxy.h"

namespace quokka::integration {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Each request to the minority node; it must end by then plus the slack
// (the client's timers and a loaded machine), whatever the node does.
constexpr auto kProbeDeadline = 1000ms;
constexpr auto kProbeSlack = 1000ms;
// CheckQuorum checks once per election timeout whether a majority was
// heard from during it: a cut just after a check is noticed at the second.
constexpr auto kStepDownBound = 2 * kElectionTimeout + 1000ms;
// The peer links redial at most a second apart; then one append round.
constexpr auto kCatchUpBound = 10s;
constexpr int kMajorityWrites = 20;

const std::string kPrefix = "partition/";
const std::string kBeforeKey = kPrefix + "before";

enum class Minority { kLeader, kFollower };

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// One proxy per directed peer link, dialer -> peer.
class LinkProxies {
 public:
  // For ProcessClusterOptions::peer_dial_address: a new proxy in front of
  // `peer_address` (a start attempt that picked new ports replaces the
  // old ones).
  std::string dial_address(NodeId dialer, NodeId peer, const std::string& peer_address) {
    std::unique_ptr<TcpProxy>& proxy = proxies_[{dialer.value(), peer.value()}];
    proxy = std::make_unique<TcpProxy>(peer_address);
    return proxy->address();
  }

  // Cuts every link to and from `node`.
  void isolate(NodeId node) {
    for (auto& [link, proxy] : proxies_) {
      if (link.first == node.value() || link.second == node.value()) proxy->cut();
    }
  }

  void heal_all() {
    for (auto& [link, proxy] : proxies_) proxy->heal();
  }

  std::string describe() const {
    std::string out;
    for (const auto& [link, proxy] : proxies_) {
      out += fmt::format("  link {} -> {} via {}: {}, {} connections forwarded, {} refused\n",
                         link.first, link.second, proxy->address(),
                         proxy->is_cut() ? "cut" : "open", proxy->forwarded_connections(),
                         proxy->refused_connections());
    }
    return out;
  }

 private:
  std::map<std::pair<uint64_t, uint64_t>, std::unique_ptr<TcpProxy>> proxies_;
};

template <typename T>
struct Timed {
  std::optional<client::ClientResult<T>> result;
  std::chrono::milliseconds took{0};
};

// A write and a linearizable read sent together to the minority node.
struct Probe {
  std::string written_key;
  std::future<Timed<client::PutResult>> put;
  std::future<Timed<client::GetResult>> get;
};

Probe start_probe(client::Client& client, std::string key) {
  auto put_done = std::make_shared<std::promise<Timed<client::PutResult>>>();
  auto get_done = std::make_shared<std::promise<Timed<client::GetResult>>>();
  Probe probe{key, put_done->get_future(), get_done->get_future()};
  const Clock::time_point started = Clock::now();
  client.put_async(
      std::move(key), "written-through-the-minority",
      [put_done, started](client::ClientResult<client::PutResult> result) {
        put_done->set_value({std::move(result), since(started)});
      },
      client::RequestOptions{kProbeDeadline});
  client::GetOptions linearizable;
  linearizable.deadline = kProbeDeadline;
  client.get_async(
      kBeforeKey,
      [get_done, started](client::ClientResult<client::GetResult> result) {
        get_done->set_value({std::move(result), since(started)});
      },
      linearizable);
  return probe;
}

// Waits (bounded) for one half of a probe.
template <typename T>
std::optional<Timed<T>> outcome(std::future<Timed<T>>& future) {
  if (future.wait_for(kProbeDeadline + kProbeSlack + 2s) != std::future_status::ready) {
    return std::nullopt;
  }
  return future.get();
}

// What a client of the minority may get: a refusal that certainly did not
// happen, of a kind that tells it to look elsewhere or wait.
::testing::AssertionResult is_definite_refusal(const client::ClientError& error) {
  const bool expected_code = error.code == ErrorCode::kNotLeader ||
                             error.code == ErrorCode::kNoQuorum ||
                             error.code == ErrorCode::kTimeout;
  if (expected_code && error.definite()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected a definite NOT_LEADER, NO_QUORUM or TIMEOUT, got " << error.to_string();
}

std::string describe(const client::ClientError& error) {
  return fmt::format("{} ({})", error_code_name(error.code),
                     error.definite() ? "definite" : "indeterminate");
}

class PartitionTest : public ::testing::TestWithParam<Minority> {};

TEST_P(PartitionTest, MinorityRefusesMajorityWritesAndMinorityCatchesUpAfterHeal) {
  // Declared first so the nodes die before their links do.
  LinkProxies proxies;
  ProcessClusterOptions options;
  options.peer_dial_address = [&proxies](NodeId dialer, NodeId peer,
                                         const std::string& peer_address) {
    return proxies.dial_address(dialer, peer, peer_address);
  };
  // Followers refuse writes rather than forward them: a write forwarded
  // across the cut could only end indeterminate, and this test pins the
  // definite refusal a minority gives.
  options.settings = {"cluster.forward_writes=false"};
  ProcessCluster cluster(options);
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report() << proxies.describe();

  std::unique_ptr<client::Client> everyone = cluster.make_client();
  auto before = everyone->put(kBeforeKey, "before");
  QUOKKA_ASSERT_OK(before);

  NodeId minority = leader->id;
  if (GetParam() == Minority::kFollower) {
    for (NodeId id : cluster.node_ids()) {
      if (id != leader->id) minority = id;
    }
  }
  std::vector<NodeId> majority;
  for (NodeId id : cluster.node_ids()) {
    if (id != minority) majority.push_back(id);
  }

  // One attempt each: a NOT_LEADER hint names the leader's client address,
  // which the cut does not cover, so a retrying client would leave the
  // minority.
  client::ClientOptions one_attempt;
  one_attempt.retry.attempts_max = 1;
  std::unique_ptr<client::Client> minority_client = cluster.make_client({minority}, one_attempt);

  proxies.isolate(minority);
  const Clock::time_point cut_at = Clock::now();
  Probe at_cut = start_probe(*minority_client, kPrefix + "minority/at-cut");

  // A cut leader stops leading, bounded by CheckQuorum; watched while the
  // majority elects.
  std::future<std::optional<std::chrono::milliseconds>> step_down;
  if (GetParam() == Minority::kLeader) {
    std::shared_ptr<client::Client> status_client = cluster.make_client({minority});
    step_down = std::async(std::launch::async, [status_client, cut_at] {
      std::optional<std::chrono::milliseconds> after;
      while (since(cut_at) < kStepDownBound + 1s) {
        const std::vector<client::EndpointStatus> statuses =
            status_client->status(client::RequestOptions{500ms});
        if (statuses.size() == 1 && statuses[0].status.is_ok() &&
            statuses[0].status.value().role != client::RaftRole::kLeader) {
          after = since(cut_at);
          break;
        }
        std::this_thread::sleep_for(20ms);
      }
      return after;
    });
  }

  // The majority has (or elects) a leader and keeps taking writes.
  const std::optional<LeaderInfo> majority_leader = cluster.wait_for_leader(15s, {minority});
  const std::chrono::milliseconds majority_leader_after = since(cut_at);
  ASSERT_TRUE(majority_leader.has_value()) << cluster.last_status_report() << proxies.describe();
  ASSERT_NE(majority_leader->id, minority);
  if (GetParam() == Minority::kLeader) {
    EXPECT_GT(majority_leader->term, leader->term);
  }
  std::unique_ptr<client::Client> majority_client = cluster.make_client(majority);
  std::map<std::string, std::string> majority_writes;
  Revision newest;
  for (int i = 0; i < kMajorityWrites; ++i) {
    const std::string key = fmt::format("{}majority/{:02}", kPrefix, i);
    const std::string value = fmt::format("value-{}", i);
    auto written = majority_client->put(key, value);
    QUOKKA_ASSERT_OK(written);
    EXPECT_NE(written->header.node, minority);
    majority_writes[key] = value;
    newest = std::max(newest, written->header.revision);
  }
  const std::chrono::milliseconds majority_writes_after = since(cut_at);

  std::optional<std::chrono::milliseconds> stepped_down_after;
  if (step_down.valid()) {
    stepped_down_after = step_down.get();  // bounded by the watcher's own loop
    ASSERT_TRUE(stepped_down_after.has_value())
        << "node " << minority << " still led " << since(cut_at).count()
        << " ms after it was cut off\n"
        << proxies.describe();
    EXPECT_LE(*stepped_down_after, kStepDownBound);
  }

  // The requests sent to the minority at the cut. A cut leader may still
  // hold the write when its deadline passes (an indeterminate TIMEOUT), but
  // it must not acknowledge it; a cut follower refuses it definitely.
  std::optional<Timed<client::PutResult>> put_at_cut = outcome(at_cut.put);
  std::optional<Timed<client::GetResult>> get_at_cut = outcome(at_cut.get);
  ASSERT_TRUE(put_at_cut.has_value()) << "the write sent to the minority at the cut hung";
  ASSERT_TRUE(get_at_cut.has_value()) << "the read sent to the minority at the cut hung";
  ASSERT_FALSE(put_at_cut->result->is_ok())
      << "node " << minority << ", cut off from the others, acknowledged a write in term "
      << put_at_cut->result->value().header.term;
  EXPECT_LT(put_at_cut->took, kProbeDeadline + kProbeSlack);
  if (GetParam() == Minority::kFollower) {
    EXPECT_TRUE(is_definite_refusal(put_at_cut->result->error()));
  }
  ASSERT_FALSE(get_at_cut->result->is_ok())
      << "node " << minority << ", cut off from the others, served a linearizable read";
  EXPECT_TRUE(is_definite_refusal(get_at_cut->result->error()));
  EXPECT_LT(get_at_cut->took, kProbeDeadline + kProbeSlack);

  // Later in the cut (the minority is no leader by now): both refused
  // definitely, within the deadline.
  Probe during_cut = start_probe(*minority_client, kPrefix + "minority/during-cut");
  std::optional<Timed<client::PutResult>> put_during_cut = outcome(during_cut.put);
  std::optional<Timed<client::GetResult>> get_during_cut = outcome(during_cut.get);
  ASSERT_TRUE(put_during_cut.has_value()) << "the write sent to the minority hung";
  ASSERT_TRUE(get_during_cut.has_value()) << "the read sent to the minority hung";
  ASSERT_FALSE(put_during_cut->result->is_ok())
      << "node " << minority << ", cut off from the others, acknowledged a write";
  EXPECT_TRUE(is_definite_refusal(put_during_cut->result->error()));
  EXPECT_LT(put_during_cut->took, kProbeDeadline + kProbeSlack);
  ASSERT_FALSE(get_during_cut->result->is_ok())
      << "node " << minority << ", cut off from the others, served a linearizable read";
  EXPECT_TRUE(is_definite_refusal(get_during_cut->result->error()));
  EXPECT_LT(get_during_cut->took, kProbeDeadline + kProbeSlack);

  // Heal: the minority node catches up and serves the majority's writes on
  // a linearizable read it answers itself (one attempt: no hint followed).
  proxies.heal_all();
  const Clock::time_point healed_at = Clock::now();
  std::optional<client::RangeResult> caught_up;
  std::string last_refusal;
  while (since(healed_at) < kCatchUpBound) {
    client::RangeOptions linearizable;
    linearizable.deadline = kProbeDeadline;
    auto page = minority_client->range(client::KeyRange::prefix(kPrefix), linearizable);
    if (page.is_ok()) {
      caught_up = std::move(page.value());
      break;
    }
    last_refusal = page.error().to_string();
    std::this_thread::sleep_for(20ms);
  }
  const std::chrono::milliseconds caught_up_after = since(healed_at);
  ASSERT_TRUE(caught_up.has_value())
      << "node " << minority << " served no linearizable read " << kCatchUpBound.count()
      << " s after the cut healed; last: " << last_refusal << "\n"
      << proxies.describe();
  EXPECT_EQ(caught_up->header.node, minority);
  EXPECT_GE(caught_up->header.revision, newest);
  EXPECT_FALSE(caught_up->more);
  std::map<std::string, std::string> seen;
  for (const client::KeyValue& kv : caught_up->kvs) seen[kv.key] = kv.value;
  std::map<std::string, std::string> expected = majority_writes;
  expected[kBeforeKey] = "before";
  // Neither write sent to the minority during the cut ever applied: not the
  // ones it refused, nor one a cut leader held in its log.
  EXPECT_EQ(seen, expected) << "through node " << minority << " after the heal";

  // The majority agrees, and the three converge on one leader.
  auto through_majority =
      majority_client->range(client::KeyRange::prefix(kPrefix), client::RangeOptions{});
  QUOKKA_ASSERT_OK(through_majority);
  std::map<std::string, std::string> seen_by_majority;
  for (const client::KeyValue& kv : through_majority->kvs) seen_by_majority[kv.key] = kv.value;
  EXPECT_EQ(seen_by_majority, expected);
  const std::optional<LeaderInfo> healed_leader = cluster.wait_for_leader(15s);
  EXPECT_TRUE(healed_leader.has_value()) << cluster.last_status_report();

  std::cout << "cut node " << minority << " ("
            << (GetParam() == Minority::kLeader ? "the leader" : "a follower") << " of term "
            << leader->term << ")";
  if (stepped_down_after) {
    std::cout << "; it stepped down after " << stepped_down_after->count() << " ms";
  }
  std::cout << "; majority leader " << majority_leader->id << " in term " << majority_leader->term
            << " after " << majority_leader_after.count() << " ms; " << kMajorityWrites
            << " majority writes done after " << majority_writes_after.count() << " ms\n"
            << "  minority at the cut: put " << describe(put_at_cut->result->error()) << " in "
            << put_at_cut->took.count() << " ms, linearizable get "
            << describe(get_at_cut->result->error()) << " in " << get_at_cut->took.count()
            << " ms\n"
            << "  minority during the cut: put " << describe(put_during_cut->result->error())
            << " in " << put_during_cut->took.count() << " ms, linearizable get "
            << describe(get_during_cut->result->error()) << " in "
            << get_during_cut->took.count() << " ms (deadline " << kProbeDeadline.count()
            << " ms)\n"
            << "  after the heal node " << minority << " served a linearizable read of all "
            << caught_up->kvs.size() << " keys after " << caught_up_after.count() << " ms\n";
}

INSTANTIATE_TEST_SUITE_P(CutNode, PartitionTest,
                         ::testing::Values(Minority::kLeader, Minority::kFollower),
                         [](const ::testing::TestParamInfo<Minority>& info) {
                           return info.param == Minority::kLeader ? std::string("Leader")
                                                                  : std::string("Follower");
                         });

}  // namespace
}  // namespace quokka::integration
