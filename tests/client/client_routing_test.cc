// Where requests go: leader hints, the next endpoint on unavailability.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/client/fake_server.h"

namespace quokka::client {
namespace {

using testing::FakeServer;

TEST(ClientRoutingTest, FollowsANotLeaderHintToTheLeaderWithTheSameSequence) {
  FakeServer leader;
  FakeServer follower;
  leader.set_script([](const proto::Envelope& request) -> std::optional<FakeServer::Reply> {
    if (request.kind() == proto::MESSAGE_KIND_GET_REQUEST) {
      return testing::get_ok(request, "value", 9, 2);
    }
    return testing::put_ok(request, 8, 2);
  });
  const std::string leader_address = leader.address();
  follower.set_script(
      [leader_address](const proto::Envelope&) -> std::optional<FakeServer::Reply> {
        proto::Error error =
            testing::wire_error(proto::NOT_LEADER, "node 1 is a follower", true);
        error.mutable_leader_hint()->set_node_id(2);
        error.mutable_leader_hint()->set_client_address(leader_address);
        return testing::error_response(proto::MESSAGE_KIND_PUT_RESPONSE, error);
      });
  auto client = testing::make_client(testing::fast_options({follower.address()}));

  ClientResult<PutResult> put = client->put("k", "v");
  ASSERT_TRUE(put.is_ok()) << put.error().to_string();
  EXPECT_EQ(put->header.endpoint, leader.address());
  EXPECT_EQ(put->header.node, NodeId(2));

  const auto refused = testing::parse<proto::PutRequest>(
      testing::request_of_kind(follower.requests(), proto::MESSAGE_KIND_PUT_REQUEST, 0));
  const auto accepted = testing::parse<proto::PutRequest>(
      testing::request_of_kind(leader.requests(), proto::MESSAGE_KIND_PUT_REQUEST, 0));
  EXPECT_EQ(refused.header().sequence(), 1u);
  EXPECT_EQ(accepted.header().sequence(), 1u) << "a retry keeps the write's sequence";
  EXPECT_EQ(accepted.header().client_id(), refused.header().client_id());
  EXPECT_EQ(client->stats().of(Operation::kPut).leader_hints_followed, 1u);
  EXPECT_EQ(client->stats().of(Operation::kPut).retries, 1u);

  // The client stays with the leader it learnt.
  ClientResult<GetResult> get = client->get("k");
  ASSERT_TRUE(get.is_ok()) << get.error().to_string();
  EXPECT_EQ(get->header.endpoint, leader.address());
  ASSERT_TRUE(get->kv.has_value());
  EXPECT_EQ(get->kv->value, "value");
  EXPECT_EQ(follower.requests().size(), 1u);
}

TEST(ClientRoutingTest, MovesToTheNextEndpointWhenAConnectionFails) {
  FakeServer server;
  server.set_script([](const proto::Envelope& request) -> std::optional<FakeServer::Reply> {
    return testing::get_ok(request, "v", 3);
  });
  auto client = testing::make_client(
      testing::fast_options({testing::unused_address(), server.address()}));

  ClientResult<GetResult> get = client->get("k");
  ASSERT_TRUE(get.is_ok()) << get.error().to_string();
  EXPECT_EQ(get->header.endpoint, server.address());
  EXPECT_EQ(client->stats().connection_failures, 1u);
}

TEST(ClientRoutingTest, MovesToTheNextEndpointOnNoQuorumAndNotLeaderWithoutHint) {
  FakeServer minority;
  FakeServer unaware;
  FakeServer majority;
  minority.set_script([](const proto::Envelope&) -> std::optional<FakeServer::Reply> {
    return testing::error_response(
        proto::MESSAGE_KIND_GET_RESPONSE,
        testing::wire_error(proto::NO_QUORUM, "cannot reach a majority", true));
  });
  unaware.set_script([](const proto::Envelope&) -> std::optional<FakeServer::Reply> {
    return testing::error_response(
        proto::MESSAGE_KIND_GET_RESPONSE,
        testing::wire_error(proto::NOT_LEADER, "no leader known", true));
  });
  majority.set_script([](const proto::Envelope& request) -> std::optional<FakeServer::Reply> {
    return testing::get_ok(request, "v", 5, 3);
  });
  auto client = testing::make_client(testing::fast_options(
      {minority.address(), unaware.address(), majority.address()}));

  ClientResult<GetResult> get = client->get("k");
  ASSERT_TRUE(get.is_ok()) << get.error().to_string();
  EXPECT_EQ(get->header.endpoint, majority.address());
  EXPECT_EQ(minority.requests().size(), 1u);
  EXPECT_EQ(unaware.requests().size(), 1u);
  EXPECT_EQ(client->stats().of(Operation::kGet).retries, 2u);
}

TEST(ClientRoutingTest, MovesOnFromANodeThatAcceptsButNeverAnswers) {
  FakeServer silent;
  FakeServer server;
  server.set_script([](const proto::Envelope& request) -> std::optional<FakeServer::Reply> {
    return testing::get_ok(request, "v", 5);
  });
  auto client =
      testing::make_client(testing::fast_options({silent.address(), server.address()}));

  ClientResult<GetResult> get = client->get("k");
  ASSERT_TRUE(get.is_ok()) << get.error().to_string();
  EXPECT_EQ(get->header.endpoint, server.address());
  EXPECT_EQ(silent.requests().size(), 1u);
}

}  // namespace
}  // namespace quokka::client
