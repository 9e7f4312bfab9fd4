// A follower's forwarded write and the leader's answer on the wire
// (ForwardRequest / ForwardResponse): every write kind and every kind of
// answer survives the trip, through the peer-message codec too, and
// malformed payloads are refused with INVALID_ARGUMENT.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "proto/peer.pb.h"
#include "server/forward_wire.h"
#include "server/peer_wire.h"

namespace quokka::server {
namespace {

using ::testing::HasSubstr;

node::ForwardedWrite forwarded(node::ClientRequest request) {
  return node::ForwardedWrite{41, 0xfeedfacecafebeefULL, std::move(request), 2500};
}

node::ForwardedWrite round_trip(const node::ForwardedWrite& write) {
  Result<node::ForwardedWrite> decoded = decode_forward_request(encode_forward_request(write));
  EXPECT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  return decoded.is_ok() ? std::move(decoded).value() : node::ForwardedWrite{};
}

node::ForwardedWriteAnswer round_trip(const node::ForwardedWriteAnswer& answer) {
  Result<node::ForwardedWriteAnswer> decoded =
      decode_forward_response(encode_forward_response(answer));
  EXPECT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  return decoded.is_ok() ? std::move(decoded).value() : node::ForwardedWriteAnswer{};
}

TEST(ForwardWireTest, PutKeepsTheClientsIdentityAndDeadline) {
  const node::ForwardedWrite decoded = round_trip(
      forwarded(node::PutRequest{"key", std::string("v\0lue", 5), {0x1234, 17}}));
  EXPECT_EQ(decoded.forward_id, 41u);
  EXPECT_EQ(decoded.incarnation, 0xfeedfacecafebeefULL);
  EXPECT_EQ(decoded.deadline_ms, 2500u);
  const auto* put = std::get_if<node::PutRequest>(&decoded.request);
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->key, "key");
  EXPECT_EQ(put->value, std::string("v\0lue", 5));
  EXPECT_EQ(put->id.client_id, 0x1234u);
  EXPECT_EQ(put->id.seq, 17u);
}

TEST(ForwardWireTest, DeleteAndCompareAndSwapRoundTrip) {
  const node::ForwardedWrite del = round_trip(forwarded(node::DeleteRequest{"gone", {9, 3}}));
  const auto* delete_request = std::get_if<node::DeleteRequest>(&del.request);
  ASSERT_NE(delete_request, nullptr);
  EXPECT_EQ(delete_request->key, "gone");
  EXPECT_EQ(delete_request->id.client_id, 9u);
  EXPECT_EQ(delete_request->id.seq, 3u);

  const node::ForwardedWrite cas =
      round_trip(forwarded(node::CompareAndSwapRequest{"k", Revision(88), "new", {5, 6}}));
  const auto* swap = std::get_if<node::CompareAndSwapRequest>(&cas.request);
  ASSERT_NE(swap, nullptr);
  EXPECT_EQ(swap->key, "k");
  EXPECT_EQ(swap->expected_mod_revision, Revision(88));
  EXPECT_EQ(swap->value, "new");
  EXPECT_EQ(swap->id.client_id, 5u);
  EXPECT_EQ(swap->id.seq, 6u);
}

TEST(ForwardWireTest, DeadlineBeyondTheWireFieldIsCutNotWrapped) {
  node::ForwardedWrite write = forwarded(node::DeleteRequest{"k", {1, 1}});
  write.deadline_ms = (1ULL << 32) + 5;
  EXPECT_EQ(round_trip(write).deadline_ms, 0xffffffffu);
}

TEST(ForwardWireTest, MalformedRequestsAreRefused) {
  Result<node::ForwardedWrite> garbage = decode_forward_request("\xff\xff\xff");
  ASSERT_FALSE(garbage.is_ok());
  EXPECT_EQ(garbage.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(garbage.status().message(), HasSubstr("ForwardRequest does not parse"));

  proto::ForwardRequest empty;
  empty.set_forward_id(1);
  Result<node::ForwardedWrite> no_write = decode_forward_request(empty.SerializeAsString());
  ASSERT_FALSE(no_write.is_ok());
  EXPECT_EQ(no_write.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(no_write.status().message(), HasSubstr("carries no write"));

  // A read given to the encoder (never done) travels as "no write" and is
  // refused on arrival rather than taken for a write.
  node::GetRequest get;
  get.key = "k";
  Result<node::ForwardedWrite> read =
      decode_forward_request(encode_forward_request(forwarded(get)));
  EXPECT_FALSE(read.is_ok());
}

TEST(ForwardWireTest, SuccessfulAnswersKeepTheirRecords) {
  node::ClientResponse put;
  put.header = node::ResponseHeader{Revision(12), Term(3), NodeId(2)};
  put.kv = node::KeyValue{"key", "", Revision(10), Revision(12), 2};
  const node::ForwardedWriteAnswer put_answer =
      round_trip(node::ForwardedWriteAnswer{41, 77, node::CommandType::kPut, put});
  EXPECT_EQ(put_answer.forward_id, 41u);
  EXPECT_EQ(put_answer.incarnation, 77u);
  EXPECT_EQ(put_answer.type, node::CommandType::kPut);
  EXPECT_TRUE(put_answer.response.status.is_ok());
  EXPECT_EQ(put_answer.response.header.revision, Revision(12));
  EXPECT_EQ(put_answer.response.header.term, Term(3));
  EXPECT_EQ(put_answer.response.header.node, NodeId(2));
  ASSERT_TRUE(put_answer.response.kv.has_value());
  EXPECT_EQ(*put_answer.response.kv, *put.kv);

  node::ClientResponse del;
  del.deleted = true;
  const node::ForwardedWriteAnswer delete_answer =
      round_trip(node::ForwardedWriteAnswer{1, 1, node::CommandType::kDelete, del});
  EXPECT_EQ(delete_answer.type, node::CommandType::kDelete);
  EXPECT_TRUE(delete_answer.response.deleted);
  EXPECT_FALSE(delete_answer.response.kv.has_value());
}

TEST(ForwardWireTest, ErrorsKeepCodeMessageDefinitenessAndHint) {
  node::ClientResponse not_leader;
  not_leader.status = Status(ErrorCode::kNotLeader, "node 3 is the leader");
  not_leader.leader_hint = NodeId(3);
  const node::ForwardedWriteAnswer refused =
      round_trip(node::ForwardedWriteAnswer{2, 1, node::CommandType::kPut, not_leader});
  EXPECT_EQ(refused.response.status.code(), ErrorCode::kNotLeader);
  EXPECT_EQ(refused.response.status.message(), "node 3 is the leader");
  EXPECT_FALSE(refused.response.indeterminate);
  EXPECT_EQ(refused.response.leader_hint, NodeId(3));

  node::ClientResponse timeout;
  timeout.status = Status(ErrorCode::kTimeout, "may still apply");
  timeout.indeterminate = true;
  const node::ForwardedWriteAnswer late =
      round_trip(node::ForwardedWriteAnswer{3, 1, node::CommandType::kDelete, timeout});
  EXPECT_EQ(late.response.status.code(), ErrorCode::kTimeout);
  EXPECT_TRUE(late.response.indeterminate);
  EXPECT_EQ(late.response.leader_hint, NodeId(0));

  node::ClientResponse mismatch;
  mismatch.status = Status(ErrorCode::kCasMismatch, "differs");
  mismatch.current_mod_revision = Revision(99);
  const node::ForwardedWriteAnswer swap = round_trip(
      node::ForwardedWriteAnswer{4, 1, node::CommandType::kCompareAndSwap, mismatch});
  EXPECT_EQ(swap.type, node::CommandType::kCompareAndSwap);
  EXPECT_EQ(swap.response.status.code(), ErrorCode::kCasMismatch);
  EXPECT_FALSE(swap.response.indeterminate);
  EXPECT_EQ(swap.response.current_mod_revision, Revision(99));
}

TEST(ForwardWireTest, UnknownErrorCodeBecomesIndeterminate) {
  proto::ForwardResponse wire;
  wire.set_forward_id(5);
  proto::Error* error = wire.mutable_put_response()->mutable_error();
  error->set_code(static_cast<proto::ErrorCode>(250));
  error->set_message("from the future");
  error->set_definite(true);
  Result<node::ForwardedWriteAnswer> decoded = decode_forward_response(wire.SerializeAsString());
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->response.status.code(), ErrorCode::kTimeout);
  EXPECT_TRUE(decoded->response.indeterminate) << "an unknown outcome is never definite";
  EXPECT_THAT(decoded->response.status.message(), HasSubstr("250"));
  EXPECT_THAT(decoded->response.status.message(), HasSubstr("from the future"));

  Result<node::ForwardedWriteAnswer> empty =
      decode_forward_response(proto::ForwardResponse().SerializeAsString());
  ASSERT_FALSE(empty.is_ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("carries no answer"));
}

TEST(ForwardWireTest, PeerMessagesTravelAsForwardKinds) {
  const node::PeerMessage request(forwarded(node::PutRequest{"k", "v", {1, 1}}));
  std::vector<WireMessage> wire = encode_peer_message(request);
  ASSERT_EQ(wire.size(), 1u);
  EXPECT_EQ(wire[0].kind, proto::MESSAGE_KIND_FORWARD_REQUEST);
  proto::Envelope envelope;
  envelope.set_kind(wire[0].kind);
  envelope.set_payload(wire[0].payload);
  Result<node::PeerMessage> decoded = decode_peer_message(envelope);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  ASSERT_TRUE(std::holds_alternative<node::ForwardedWrite>(*decoded));
  EXPECT_EQ(std::get<node::ForwardedWrite>(*decoded).forward_id, 41u);

  node::ClientResponse ok;
  const node::PeerMessage answer(
      node::ForwardedWriteAnswer{41, 7, node::CommandType::kDelete, ok});
  wire = encode_peer_message(answer);
  ASSERT_EQ(wire.size(), 1u);
  EXPECT_EQ(wire[0].kind, proto::MESSAGE_KIND_FORWARD_RESPONSE);
  envelope.set_kind(wire[0].kind);
  envelope.set_payload(wire[0].payload);
  decoded = decode_peer_message(envelope);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  ASSERT_TRUE(std::holds_alternative<node::ForwardedWriteAnswer>(*decoded));
  EXPECT_EQ(std::get<node::ForwardedWriteAnswer>(*decoded).incarnation, 7u);

  envelope.set_kind(proto::MESSAGE_KIND_FORWARD_REQUEST);
  envelope.set_payload("\x01");
  EXPECT_EQ(decode_peer_message(envelope).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace quokka::server
