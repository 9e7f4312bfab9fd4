#include <gtest/gtest.h>

#include <string>

#include "proto/admin.pb.h"
#include "proto/client.pb.h"
#include "proto/envelope.pb.h"
#include "proto/handshake.pb.h"
#include "proto/peer.pb.h"

namespace quokka::proto {
namespace {

template <typename Message>
Message reparse(const Message& message) {
  Message parsed;
  EXPECT_TRUE(parsed.ParseFromString(message.SerializeAsString()));
  return parsed;
}

// The defaults are part of the protocol: an unset field must mean the safe
// thing.
TEST(ProtoMessagesTest, UnsetConsistencyMeansLinearizable) {
  GetRequest get;
  EXPECT_EQ(get.consistency(), CONSISTENCY_LINEARIZABLE);
  RangeRequest range;
  EXPECT_EQ(range.consistency(), CONSISTENCY_LINEARIZABLE);
}

TEST(ProtoMessagesTest, UnsetKindAndRoleAreTheUnspecifiedValues) {
  EXPECT_EQ(Envelope().kind(), MESSAGE_KIND_UNSPECIFIED);
  EXPECT_EQ(Hello().role(), ROLE_UNSPECIFIED);
  EXPECT_EQ(RaftMessage().type(), RAFT_MESSAGE_TYPE_UNSPECIFIED);
}

TEST(ProtoMessagesTest, ResponseErrorIsAbsentUntilSet) {
  PutResponse response;
  EXPECT_FALSE(response.has_error());
  response.mutable_error()->set_code(NOT_LEADER);
  response.mutable_error()->mutable_leader_hint()->set_node_id(2);
  response.mutable_error()->mutable_leader_hint()->set_client_address(
      "127.0.0.1:7002");
  const PutResponse parsed = reparse(response);
  ASSERT_TRUE(parsed.has_error());
  EXPECT_EQ(parsed.error().code(), NOT_LEADER);
  EXPECT_FALSE(parsed.error().definite());
  EXPECT_EQ(parsed.error().leader_hint().node_id(), 2u);
  EXPECT_EQ(parsed.error().leader_hint().client_address(), "127.0.0.1:7002");
}

TEST(ProtoMessagesTest, RangeSelectorIsEitherPrefixOrInterval) {
  RangeRequest request;
  EXPECT_EQ(request.selector_case(), RangeRequest::SELECTOR_NOT_SET);
  request.set_prefix("");
  // An empty prefix is still a choice: every key.
  EXPECT_EQ(reparse(request).selector_case(), RangeRequest::kPrefix);
  request.mutable_interval()->set_start("a");
  request.mutable_interval()->set_end("b");
  const RangeRequest parsed = reparse(request);
  EXPECT_EQ(parsed.selector_case(), RangeRequest::kInterval);
  EXPECT_EQ(parsed.interval().start(), "a");
  EXPECT_EQ(parsed.interval().end(), "b");
}

TEST(ProtoMessagesTest, RaftAppendRoundTrips) {
  RaftMessage message;
  message.set_type(RAFT_MESSAGE_TYPE_APPEND);
  message.set_from(1);
  message.set_to(2);
  message.set_term(5);
  message.set_log_term(4);
  message.set_index(10);
  message.set_commit(9);
  Entry* entry = message.add_entries();
  entry->set_index(11);
  entry->set_term(5);
  entry->set_type(ENTRY_TYPE_NORMAL);
  entry->set_data(std::string("\x00\x01pointer", 9));
  InlineBlob* blob = message.add_inline_blobs();
  blob->set_hash(std::string(32, '\xab'));
  blob->set_data("value");

  const RaftMessage parsed = reparse(message);
  EXPECT_EQ(parsed.SerializeAsString(), message.SerializeAsString());
  ASSERT_EQ(parsed.entries_size(), 1);
  EXPECT_EQ(parsed.entries(0).data(), std::string("\x00\x01pointer", 9));
  ASSERT_EQ(parsed.inline_blobs_size(), 1);
  EXPECT_EQ(parsed.inline_blobs(0).hash().size(), 32u);
}

TEST(ProtoMessagesTest, AdminMemberRoundTrips) {
  AddMemberRequest request;
  request.mutable_header()->set_deadline_ms(5000);
  Member* member = request.mutable_member();
  member->set_node_id(4);
  member->set_peer_address("10.0.0.4:7100");
  member->set_client_address("10.0.0.4:7000");
  member->set_role(MEMBER_ROLE_LEARNER);
  const AddMemberRequest parsed = reparse(request);
  EXPECT_EQ(parsed.member().role(), MEMBER_ROLE_LEARNER);
  EXPECT_EQ(parsed.member().peer_address(), "10.0.0.4:7100");
  EXPECT_EQ(parsed.header().deadline_ms(), 5000u);
}

}  // namespace
}  // namespace quokka::proto
