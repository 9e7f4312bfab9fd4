// Node-to-node messages survive the wire whole: what the sender's node
// handed over is what the receiver's node gets, bytes of entries, values
// and snapshots included (encoding moves them rather than copying).
#include "server/peer_wire.h"

#include <gtest/gtest.h>

#include "proto/peer.pb.h"

#include <string>
#include <variant>

namespace quokka::server {
namespace {

node::PeerMessage round_trip(const node::PeerMessage& message, uint64_t lamport_time) {
  std::vector<WireMessage> wire = encode_peer_message(message);
  EXPECT_EQ(wire.size(), 1u);
  proto::Envelope envelope;
  envelope.set_kind(wire.at(0).kind);
  envelope.set_lamport_time(lamport_time);
  envelope.set_payload(std::move(wire.at(0).payload));
  Result<node::PeerMessage> decoded = decode_peer_message(envelope);
  EXPECT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  return decoded.is_ok() ? std::move(decoded).value() : node::PeerMessage{};
}

std::string bytes_of(size_t size, int seed) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 131 + seed) & 0xff);
  return bytes;
}

TEST(PeerWireTest, AnAppendWithItsEntriesValuesAndSnapshotArrivesWhole) {
  node::RaftPeerMessage append;
  consensus::Message& m = append.raft;
  m.type = consensus::MessageType::kAppend;
  m.from = NodeId(1);
  m.to = NodeId(3);
  m.term = Term(4);
  m.log_term = Term(3);
  m.index = LogIndex(41);
  m.entries = {LogEntry{LogIndex(42), Term(4), EntryType::kNormal, bytes_of(300, 1)},
               LogEntry{LogIndex(43), Term(4), EntryType::kConfChange, bytes_of(20, 2)}};
  m.commit = LogIndex(40);
  m.context = "read-7";
  m.lamport_time = 99;
  const std::string value = bytes_of(1 << 20, 3);
  append.blobs = {node::InlineBlob{BlobId::of(value), value}};
  node::PeerMessage got = round_trip(node::PeerMessage(append), 99);
  ASSERT_TRUE(std::holds_alternative<node::RaftPeerMessage>(got));
  EXPECT_TRUE(std::get<node::RaftPeerMessage>(got) == append);

  node::RaftPeerMessage snapshot;
  snapshot.raft.type = consensus::MessageType::kSnapshot;
  snapshot.raft.from = NodeId(1);
  snapshot.raft.to = NodeId(2);
  snapshot.raft.term = Term(4);
  snapshot.raft.lamport_time = 7;
  consensus::Snapshot image;
  image.metadata.last = {LogIndex(500), Term(4)};
  image.metadata.conf_state.voters = {NodeId(1), NodeId(2), NodeId(3)};
  image.data = bytes_of(5000, 4);
  snapshot.raft.snapshot = image;
  got = round_trip(node::PeerMessage(snapshot), 7);
  ASSERT_TRUE(std::holds_alternative<node::RaftPeerMessage>(got));
  EXPECT_TRUE(std::get<node::RaftPeerMessage>(got) == snapshot);
}

TEST(PeerWireTest, AValuePushedAheadArrivesWhole) {
  const std::string value = bytes_of((1 << 20) + 17, 5);
  const node::BlobPush push{{node::InlineBlob{BlobId::of(value), value}}};
  node::PeerMessage got = round_trip(node::PeerMessage(push), 3);
  ASSERT_TRUE(std::holds_alternative<node::BlobPush>(got));
  EXPECT_TRUE(std::get<node::BlobPush>(got) == push);
}

// The chunk is assembled by hand (no zero-filled buffer); the bytes must be
// protobuf's own, for a value of any length.
TEST(PeerWireTest, AValueChunkIsTheBytesProtobufWouldWrite) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{127}, size_t{128}, size_t{300000}}) {
    const std::string value = bytes_of(size, 6);
    const BlobId id = BlobId::of(value);
    std::vector<WireMessage> wire =
        encode_peer_message(node::PeerMessage(node::BlobPush{{node::InlineBlob{id, value}}}));
    ASSERT_EQ(wire.size(), 1u);
    proto::BlobChunk expected;
    expected.set_blob_hash(std::string(id.bytes()));
    expected.set_offset(0);
    expected.set_total_size(size);
    expected.set_data(value);
    EXPECT_EQ(wire[0].kind, proto::MESSAGE_KIND_BLOB_CHUNK);
    EXPECT_TRUE(wire[0].payload == expected.SerializeAsString()) << "value of " << size << " bytes";
  }
}

}  // namespace
}  // namespace quokka::server
