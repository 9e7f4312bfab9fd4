// The Hello handshake, what every request carries, and status per endpoint.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/client/fake_server.h"

namespace quokka::client {
namespace {

using testing::FakeServer;
using ::testing::HasSubstr;

TEST(ClientHandshakeTest, EveryConnectionSaysHelloAndRequestsCarryTheClientId) {
  FakeServer server;
  server.set_script([](const proto::Envelope& request) -> std::optional<FakeServer::Reply> {
    return testing::put_ok(request, 7);
  });
  auto client = testing::make_client(testing::fast_options({server.address()}));

  ClientResult<PutResult> first = client->put("k", "v");
  ASSERT_TRUE(first.is_ok()) << first.error().to_string();
  EXPECT_EQ(first->header.revision, Revision(7));
  EXPECT_EQ(first->header.term, Term(3));
  EXPECT_EQ(first->header.node, NodeId(1));
  EXPECT_EQ(first->header.endpoint, server.address());
  EXPECT_EQ(first->kv.key, "k");
  ASSERT_TRUE(client->put("k", "w").is_ok());

  const std::vector<proto::Hello> hellos = server.hellos();
  ASSERT_EQ(hellos.size(), 1u) << "one connection, one Hello";
  EXPECT_EQ(hellos[0].role(), proto::ROLE_CLIENT);
  EXPECT_EQ(hellos[0].min_version(), proto::kProtocolVersionMin);
  EXPECT_EQ(hellos[0].max_version(), proto::kProtocolVersionMax);
  EXPECT_NE(client->client_id(), 0u);
  EXPECT_EQ(hellos[0].client_id(), client->client_id());

  const std::vector<proto::Envelope> requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].kind(), proto::MESSAGE_KIND_PUT_REQUEST);
    EXPECT_EQ(requests[i].protocol_version(), 1u);
    EXPECT_GT(requests[i].lamport_time(), 0u);
    const auto put = testing::parse<proto::PutRequest>(requests[i]);
    EXPECT_EQ(put.header().client_id(), client->client_id());
    EXPECT_EQ(put.header().sequence(), i + 1) << "one new sequence per write";
    EXPECT_GT(put.header().deadline_ms(), 0u);
  }
  EXPECT_NE(requests[0].request_id(), requests[1].request_id());

  const ClientStats stats = client->stats();
  EXPECT_EQ(stats.of(Operation::kPut).succeeded, 2u);
  EXPECT_EQ(stats.of(Operation::kPut).latency.count(), 2u);
  EXPECT_EQ(stats.connections_opened, 1u);
}

TEST(ClientHandshakeTest, UnsupportedVersionIsSurfacedWithTheNodesVersions) {
  FakeServer server;
  proto::HelloReply refusal;
  refusal.set_min_version(5);
  refusal.set_max_version(6);
  *refusal.mutable_error() = testing::wire_error(
      proto::UNSUPPORTED_VERSION, "this node speaks protocol versions 5..6", true);
  refusal.mutable_error()->mutable_supported_versions()->set_min_version(5);
  refusal.mutable_error()->mutable_supported_versions()->set_max_version(6);
  server.set_hello_reply(refusal);
  auto client = testing::make_client(testing::fast_options({server.address()}));

  ClientResult<GetResult> result = client->get("k");
  ASSERT_FALSE(result.is_ok());
  const ClientError& error = result.error();
  EXPECT_EQ(error.code, ErrorCode::kUnsupportedVersion);
  EXPECT_TRUE(error.definite());
  EXPECT_EQ(error.supported_versions.min, 5);
  EXPECT_EQ(error.supported_versions.max, 6);
  EXPECT_EQ(error.attempts, 1u) << "a version mismatch is not retried";
  EXPECT_EQ(error.endpoint, server.address());
  EXPECT_THAT(error.message, HasSubstr("5..6"));
  EXPECT_THAT(error.message, HasSubstr("this client speaks 1"));
  EXPECT_THAT(error.to_string(), HasSubstr("UNSUPPORTED_VERSION"));
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(client->stats().connection_failures, 1u);
}

TEST(ClientHandshakeTest, StatusAsksEveryEndpointAndReportsEachOnItsOwn) {
  FakeServer leader;
  FakeServer follower;
  const auto status_script = [](uint64_t node_id, proto::RaftRole role) {
    return [node_id, role](const proto::Envelope&) -> std::optional<FakeServer::Reply> {
      proto::StatusResponse response;
      response.mutable_header()->set_node_id(node_id);
      response.mutable_header()->set_raft_term(4);
      response.mutable_header()->set_revision(12);
      response.set_raft_role(role);
      response.set_leader_id(1);
      response.set_applied_index(30);
      response.set_min_protocol_version(1);
      response.set_max_protocol_version(1);
      response.set_stored_blob_bytes(4096);
      return testing::reply(proto::MESSAGE_KIND_STATUS_RESPONSE, response);
    };
  };
  leader.set_script(status_script(1, proto::RAFT_ROLE_LEADER));
  follower.set_script(status_script(2, proto::RAFT_ROLE_FOLLOWER));
  const std::string down = testing::unused_address();
  auto client = testing::make_client(
      testing::fast_options({leader.address(), follower.address(), down}));

  const std::vector<EndpointStatus> statuses =
      client->status(RequestOptions{.deadline = std::chrono::milliseconds(1500)});
  ASSERT_EQ(statuses.size(), 3u);
  ASSERT_TRUE(statuses[0].status.is_ok()) << statuses[0].status.error().to_string();
  EXPECT_EQ(statuses[0].endpoint, leader.address());
  EXPECT_EQ(statuses[0].status->role, RaftRole::kLeader);
  EXPECT_EQ(statuses[0].status->header.node, NodeId(1));
  EXPECT_EQ(statuses[0].status->header.term, Term(4));
  EXPECT_EQ(statuses[0].status->applied_index, LogIndex(30));
  EXPECT_EQ(statuses[0].status->chosen_protocol_version, 1);
  EXPECT_EQ(statuses[0].status->stored_blob_bytes, 4096u);
  ASSERT_TRUE(statuses[1].status.is_ok());
  EXPECT_EQ(statuses[1].status->role, RaftRole::kFollower);
  ASSERT_FALSE(statuses[2].status.is_ok());
  EXPECT_EQ(statuses[2].endpoint, down);
  EXPECT_EQ(statuses[2].status.error().code, ErrorCode::kTimeout);
  EXPECT_THAT(statuses[2].status.error().message, HasSubstr(down));
}

}  // namespace
}  // namespace quokka::client
