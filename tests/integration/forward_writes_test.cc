// Follower write forwarding against real quokkad processes. The writes go
// through a raw connection to one follower only, so nothing can follow a
// NOT_LEADER hint: with cluster.forward_writes on they succeed through the
// leader and read back linearizably on every node; with it off the same
// follower refuses with a definite NOT_LEADER naming the leader's address;
// and a follower whose leader has stopped answering refuses past
// queues.forwarded_writes_max with OVERLOADED (counted in the metrics) and
// answers the forward it holds as an indeterminate TIMEOUT.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "client/client.h"
#include "proto/client.pb.h"
#include "proto/errors.pb.h"
#include "tests/integration/client_result_assertions.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/process_cluster.h"
#include "tests/integration/raw_connection.h"

namespace quokka::integration {
namespace {

using namespace std::chrono_literals;

constexpr auto kIoTimeout = 10s;

NodeId some_follower(const ProcessCluster& cluster, NodeId leader) {
  for (NodeId id : cluster.node_ids()) {
    if (id != leader) return id;
  }
  return NodeId(0);
}

// A client connection to one node and nothing else: it can only send and
// read, never go to another node.
class SingleNodeClient {
 public:
  static std::unique_ptr<SingleNodeClient> connect(const std::string& endpoint,
                                                   uint64_t client_id) {
    std::unique_ptr<RawConnection> connection = RawConnection::connect(endpoint, 5s);
    if (!connection) return nullptr;
    std::optional<proto::HelloReply> reply = connection->hello(1, 1, client_id, 5s);
    if (!reply || reply->has_error()) return nullptr;
    return std::unique_ptr<SingleNodeClient>(
        new SingleNodeClient(std::move(connection), client_id));
  }

  // Sends a write without waiting for its answer; returns its request id.
  uint64_t send_put(const std::string& key, const std::string& value, uint32_t deadline_ms) {
    proto::PutRequest put;
    fill_header(*put.mutable_header(), deadline_ms);
    put.set_key(key);
    put.set_value(value);
    return send(proto::MESSAGE_KIND_PUT_REQUEST, put.SerializeAsString());
  }
  uint64_t send_delete(const std::string& key, uint32_t deadline_ms) {
    proto::DeleteRequest del;
    fill_header(*del.mutable_header(), deadline_ms);
    del.set_key(key);
    return send(proto::MESSAGE_KIND_DELETE_REQUEST, del.SerializeAsString());
  }
  uint64_t send_compare_and_swap(const std::string& key, uint64_t expected,
                                 const std::string& value, uint32_t deadline_ms) {
    proto::CompareAndSwapRequest cas;
    fill_header(*cas.mutable_header(), deadline_ms);
    cas.set_key(key);
    cas.set_expected_mod_revision(expected);
    cas.set_value(value);
    return send(proto::MESSAGE_KIND_COMPARE_AND_SWAP_REQUEST, cas.SerializeAsString());
  }

  // The answer to request `request_id` as `Response`; nothing (and a test
  // failure) if none came within `timeout`.
  template <typename Response>
  std::optional<Response> answer(uint64_t request_id, std::chrono::milliseconds timeout) {
    std::optional<proto::Envelope> envelope = connection_->read_envelope(timeout);
    if (!envelope) {
      ADD_FAILURE() << "no answer to request " << request_id << ": "
                    << connection_->last_error();
      return std::nullopt;
    }
    EXPECT_EQ(envelope->request_id(), request_id);
    Response response;
    if (!response.ParseFromString(envelope->payload())) {
      ADD_FAILURE() << "the answer to request " << request_id << " does not parse";
      return std::nullopt;
    }
    return response;
  }

 private:
  SingleNodeClient(std::unique_ptr<RawConnection> connection, uint64_t client_id)
      : connection_(std::move(connection)), client_id_(client_id) {}

  // Every write takes the next sequence number: each is answered before
  // the next is sent, or (in the overload case) refused before proposal.
  void fill_header(proto::RequestHeader& header, uint32_t deadline_ms) {
    header.set_client_id(client_id_);
    header.set_sequence(next_sequence_++);
    header.set_deadline_ms(deadline_ms);
  }
  uint64_t send(proto::MessageKind kind, const std::string& payload) {
    const uint64_t id = next_request_id_++;
    EXPECT_TRUE(connection_->send_envelope(make_envelope(kind, id, payload), kIoTimeout))
        << connection_->last_error();
    return id;
  }

  std::unique_ptr<RawConnection> connection_;
  uint64_t client_id_;
  uint64_t next_sequence_ = 1;
  uint64_t next_request_id_ = 1;
};

std::string describe(const proto::Error& error) {
  return proto::ErrorCode_Name(error.code()) + " (" +
         (error.definite() ? "definite" : "indeterminate") + "): " + error.message();
}

std::optional<double> metric(const ProcessCluster& cluster, NodeId node, const char* name,
                             const std::map<std::string, std::string>& labels) {
  std::optional<HttpResponse> scrape = http_get(cluster.metrics_endpoint(node), "/metrics", 5s);
  if (!scrape || scrape->status != 200) return std::nullopt;
  return sample_sum(scrape->body, name, labels);
}

TEST(ForwardWritesTest, TheClientLibraryMovesToTheLeaderAfterOneForwardedWrite) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  const NodeId follower = some_follower(cluster, leader->id);

  // The client knows only the follower; the first write's answer names the
  // leader, and the later ones go there without the extra hop.
  std::unique_ptr<client::Client> client = cluster.make_client({follower});
  for (int i = 0; i < 5; ++i) {
    auto put = client->put("moved/" + std::to_string(i), "v");
    QUOKKA_ASSERT_OK(put);
  }
  const std::optional<double> forwarded =
      metric(cluster, follower, "quokka_queue_wait_seconds_count", {{"queue", "forwarded_writes"}});
  ASSERT_TRUE(forwarded.has_value());
  EXPECT_EQ(*forwarded, 1.0) << "only the first write went through the follower";
  EXPECT_EQ(client->stats().of(client::Operation::kPut).leader_hints_followed, 0u)
      << "no write was refused";
}

// A follower answers a linearizable read after asking the leader for a read
// index; its answer names the leader, so the client reads there from then
// on. Stale reads need no leader and stay where they are.
TEST(ForwardWritesTest, LinearizableReadsMoveToTheLeaderAndStaleReadsStay) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  const NodeId follower = some_follower(cluster, leader->id);
  Revision written;
  {
    std::unique_ptr<client::Client> writer = cluster.make_client();
    auto put = writer->put("routed", "v");
    QUOKKA_ASSERT_OK(put);
    written = put->kv.mod_revision;
  }
  auto gets_served = [&](NodeId node) {
    return metric(cluster, node, "quokka_requests_handled_total", {{"code", "OK"}, {"op", "get"}})
        .value_or(0.0);
  };

  std::unique_ptr<client::Client> stale_reader = cluster.make_client({follower});
  client::GetOptions stale;
  stale.consistency = client::Consistency::kStale;
  stale.min_revision = written;
  for (int i = 0; i < 5; ++i) {
    auto read = stale_reader->get("routed", stale);
    QUOKKA_ASSERT_OK(read);
    ASSERT_TRUE(read->kv.has_value());
  }
  EXPECT_EQ(gets_served(follower), 5.0) << "stale reads stay on the follower";
  EXPECT_EQ(gets_served(leader->id), 0.0);

  std::unique_ptr<client::Client> reader = cluster.make_client({follower});
  for (int i = 0; i < 5; ++i) {
    auto read = reader->get("routed");
    QUOKKA_ASSERT_OK(read);
    ASSERT_TRUE(read->kv.has_value());
    EXPECT_EQ(read->kv->value, "v");
  }
  EXPECT_EQ(gets_served(follower), 6.0) << "only the first linearizable read went to the follower";
  EXPECT_EQ(gets_served(leader->id), 4.0);
}

TEST(ForwardWritesTest, FollowerForwardsWritesOfAClientThatKnowsOnlyIt) {
  ProcessCluster cluster;  // cluster.forward_writes defaults to true
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  const NodeId follower = some_follower(cluster, leader->id);

  std::unique_ptr<SingleNodeClient> client =
      SingleNodeClient::connect(cluster.client_endpoint(follower), 0x5eed0001);
  ASSERT_TRUE(client) << "cannot connect to follower " << follower;

  // Put: answered by the leader through the follower.
  uint64_t mod_revision = 0;
  for (int i = 0; i < 5; ++i) {
    const std::string key = "forwarded/" + std::to_string(i);
    const uint64_t id = client->send_put(key, "value-" + std::to_string(i), 5000);
    std::optional<proto::PutResponse> put = client->answer<proto::PutResponse>(id, kIoTimeout);
    ASSERT_TRUE(put.has_value());
    ASSERT_FALSE(put->has_error() && put->error().code() != proto::OK)
        << key << ": " << describe(put->error());
    EXPECT_EQ(put->header().node_id(), leader->id.value()) << "the leader decided the write";
    EXPECT_EQ(put->header().leader_hint().client_address(),
              cluster.client_endpoint(leader->id))
        << "the answer names the leader, for the client's next writes";
    EXPECT_EQ(put->kv().version(), 1u);
    EXPECT_GT(put->kv().mod_revision(), mod_revision);
    mod_revision = put->kv().mod_revision();
  }

  // CompareAndSwap: a match applies, a stale revision is a definite
  // CAS_MISMATCH naming the current one, both relayed unchanged.
  const uint64_t swap_id =
      client->send_compare_and_swap("forwarded/4", mod_revision, "swapped", 5000);
  std::optional<proto::CompareAndSwapResponse> swap =
      client->answer<proto::CompareAndSwapResponse>(swap_id, kIoTimeout);
  ASSERT_TRUE(swap.has_value());
  ASSERT_FALSE(swap->has_error() && swap->error().code() != proto::OK)
      << describe(swap->error());
  const uint64_t swapped_revision = swap->kv().mod_revision();
  EXPECT_GT(swapped_revision, mod_revision);
  const uint64_t stale_id =
      client->send_compare_and_swap("forwarded/4", mod_revision, "lost", 5000);
  std::optional<proto::CompareAndSwapResponse> stale =
      client->answer<proto::CompareAndSwapResponse>(stale_id, kIoTimeout);
  ASSERT_TRUE(stale.has_value());
  EXPECT_EQ(stale->error().code(), proto::CAS_MISMATCH) << describe(stale->error());
  EXPECT_TRUE(stale->error().definite());
  EXPECT_EQ(stale->actual_mod_revision(), swapped_revision);

  // Delete.
  const uint64_t delete_id = client->send_delete("forwarded/0", 5000);
  std::optional<proto::DeleteResponse> deleted =
      client->answer<proto::DeleteResponse>(delete_id, kIoTimeout);
  ASSERT_TRUE(deleted.has_value());
  ASSERT_FALSE(deleted->has_error() && deleted->error().code() != proto::OK)
      << describe(deleted->error());
  EXPECT_TRUE(deleted->existed());

  // Every node, read linearizably, has every acknowledged write.
  for (NodeId node : cluster.node_ids()) {
    SCOPED_TRACE("reading through node " + std::to_string(node.value()));
    std::unique_ptr<client::Client> reader = cluster.make_client({node});
    for (int i = 1; i < 4; ++i) {
      auto read = reader->get("forwarded/" + std::to_string(i));
      QUOKKA_ASSERT_OK(read);
      ASSERT_TRUE(read->kv.has_value());
      EXPECT_EQ(read->kv->value, "value-" + std::to_string(i));
    }
    auto swapped = reader->get("forwarded/4");
    QUOKKA_ASSERT_OK(swapped);
    ASSERT_TRUE(swapped->kv.has_value());
    EXPECT_EQ(swapped->kv->value, "swapped");
    EXPECT_EQ(swapped->kv->mod_revision.value(), swapped_revision);
    auto gone = reader->get("forwarded/0");
    QUOKKA_ASSERT_OK(gone);
    EXPECT_FALSE(gone->kv.has_value()) << "the forwarded delete did not apply";
  }

  // The follower exports its forward queue, empty now, at its capacity.
  EXPECT_EQ(metric(cluster, follower, "quokka_queue_capacity", {{"queue", "forwarded_writes"}}),
            std::optional<double>(1024));
  EXPECT_EQ(metric(cluster, follower, "quokka_queue_depth", {{"queue", "forwarded_writes"}}),
            std::optional<double>(0));
}

TEST(ForwardWritesTest, WithForwardingOffTheFollowerAnswersNotLeaderWithTheLeadersAddress) {
  ProcessClusterOptions options;
  options.settings = {"cluster.forward_writes=false"};
  ProcessCluster cluster(options);
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  const NodeId follower = some_follower(cluster, leader->id);

  std::unique_ptr<SingleNodeClient> client =
      SingleNodeClient::connect(cluster.client_endpoint(follower), 0x5eed0002);
  ASSERT_TRUE(client);
  const uint64_t id = client->send_put("refused", "value", 5000);
  std::optional<proto::PutResponse> put = client->answer<proto::PutResponse>(id, kIoTimeout);
  ASSERT_TRUE(put.has_value());
  EXPECT_EQ(put->error().code(), proto::NOT_LEADER) << describe(put->error());
  EXPECT_TRUE(put->error().definite()) << "a refusal before proposal did not happen";
  EXPECT_EQ(put->header().node_id(), follower.value());
  ASSERT_TRUE(put->error().has_leader_hint());
  EXPECT_EQ(put->error().leader_hint().node_id(), leader->id.value());
  EXPECT_EQ(put->error().leader_hint().client_address(), cluster.client_endpoint(leader->id));

  std::unique_ptr<client::Client> reader = cluster.make_client({leader->id});
  auto absent = reader->get("refused");
  QUOKKA_ASSERT_OK(absent);
  EXPECT_FALSE(absent->kv.has_value()) << "a refused write left state behind";
  EXPECT_EQ(metric(cluster, follower, "quokka_queue_depth", {{"queue", "forwarded_writes"}}),
            std::optional<double>(0));
}

TEST(ForwardWritesTest, FullForwardQueueRefusesAndAnUnansweredForwardIsIndeterminate) {
  ProcessClusterOptions options;
  options.settings = {"queues.forwarded_writes_max=1"};
  ProcessCluster cluster(options);
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  const NodeId follower = some_follower(cluster, leader->id);
  std::unique_ptr<SingleNodeClient> client =
      SingleNodeClient::connect(cluster.client_endpoint(follower), 0x5eed0003);
  ASSERT_TRUE(client);
  const std::optional<double> refused_before = metric(
      cluster, follower, "quokka_queue_rejected_total", {{"queue", "forwarded_writes"}});
  ASSERT_EQ(refused_before, std::optional<double>(0));

  // A stopped leader keeps its connections open and answers nothing, so
  // the first forward stays outstanding and fills the queue of one.
  cluster.pause(leader->id);
  const auto sent_at = std::chrono::steady_clock::now();
  const uint64_t held = client->send_put("held", "value", 1500);
  const uint64_t overflow = client->send_put("overflow", "value", 1500);

  // Answers come in the order they are decided: the refusal at once.
  std::optional<proto::PutResponse> refused =
      client->answer<proto::PutResponse>(overflow, kIoTimeout);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->error().code(), proto::OVERLOADED) << describe(refused->error());
  EXPECT_TRUE(refused->error().definite());
  EXPECT_NE(refused->error().message().find("forwarded_writes_max = 1"), std::string::npos)
      << refused->error().message();

  // The held one ends by its deadline (or earlier, when the follower learns
  // of a new leader), as "may have happened": it reached the leader's
  // socket.
  std::optional<proto::PutResponse> timed_out =
      client->answer<proto::PutResponse>(held, kIoTimeout);
  const auto waited = std::chrono::steady_clock::now() - sent_at;
  cluster.resume(leader->id);
  ASSERT_TRUE(timed_out.has_value());
  EXPECT_EQ(timed_out->error().code(), proto::TIMEOUT) << describe(timed_out->error());
  EXPECT_FALSE(timed_out->error().definite()) << describe(timed_out->error());
  EXPECT_LT(waited, 1500ms + 1s) << "the forward outlived its deadline";

  EXPECT_EQ(metric(cluster, follower, "quokka_queue_rejected_total",
                   {{"queue", "forwarded_writes"}}),
            std::optional<double>(1));
  EXPECT_EQ(metric(cluster, follower, "quokka_queue_capacity", {{"queue", "forwarded_writes"}}),
            std::optional<double>(1));
}

}  // namespace
}  // namespace quokka::integration
