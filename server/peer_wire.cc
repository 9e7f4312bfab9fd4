#include "server/peer_wire.h"

#include <fmt/format.h>

#include "proto/length_delimited_key.h"
#include "proto/peer.pb.h"
#include "server/forward_wire.h"

namespace quokka::server {
namespace {

Status malformed(std::string_view what) {
  return Status(ErrorCode::kInvalidArgument, fmt::format("peer message: {}", what));
}

Result<BlobId> blob_id(const std::string& bytes) {
  std::optional<BlobId> id = BlobId::from_bytes(bytes);
  if (!id) {
    return malformed(fmt::format("a value hash has {} bytes; expected {}", bytes.size(),
                                 BlobId::kSize));
  }
  return *id;
}

// Encoding and decoding move the bytes of entries, values and snapshots
// between the node's message and the protobuf one instead of copying
// them: a value of a megabyte would otherwise be copied once more on each
// side for each follower.
void to_wire(LogEntry& entry, proto::Entry& out) {
  out.set_index(entry.index.value());
  out.set_term(entry.term.value());
  out.set_type(entry.type == EntryType::kConfChange ? proto::ENTRY_TYPE_CONF_CHANGE
                                                    : proto::ENTRY_TYPE_NORMAL);
  out.set_data(std::move(entry.data));
}

void to_wire(const consensus::ConfState& conf, proto::ConfState& out) {
  for (NodeId id : conf.voters) out.add_voters(id.value());
  for (NodeId id : conf.learners) out.add_learners(id.value());
}

consensus::ConfState from_wire(const proto::ConfState& conf) {
  consensus::ConfState out;
  for (uint64_t id : conf.voters()) out.voters.push_back(NodeId(id));
  for (uint64_t id : conf.learners()) out.learners.push_back(NodeId(id));
  return out;
}

void encode_raft(node::RaftPeerMessage& message, proto::RaftMessage& out) {
  consensus::Message& m = message.raft;
  out.set_type(static_cast<proto::RaftMessageType>(m.type));
  out.set_from(m.from.value());
  out.set_to(m.to.value());
  out.set_term(m.term.value());
  out.set_log_term(m.log_term.value());
  out.set_index(m.index.value());
  for (LogEntry& entry : m.entries) to_wire(entry, *out.add_entries());
  out.set_commit(m.commit.value());
  out.set_reject(m.reject);
  out.set_reject_hint(m.reject_hint.value());
  out.set_reject_hint_term(m.reject_hint_term.value());
  out.set_context(std::move(m.context));
  if (m.snapshot) {
    proto::SnapshotMetadata* meta = out.mutable_snapshot();
    meta->set_index(m.snapshot->metadata.last.index.value());
    meta->set_term(m.snapshot->metadata.last.term.value());
    to_wire(m.snapshot->metadata.conf_state, *meta->mutable_conf_state());
    meta->set_state_size(m.snapshot->data.size());
    meta->set_state_blob_hash(std::string(BlobId::of(m.snapshot->data).bytes()));
    out.set_snapshot_state(std::move(m.snapshot->data));
  }
  for (node::InlineBlob& blob : message.blobs) {
    proto::InlineBlob* wire = out.add_inline_blobs();
    wire->set_hash(std::string(blob.id.bytes()));
    wire->set_data(std::move(blob.bytes));
  }
}

Result<node::PeerMessage> decode_raft(proto::RaftMessage& in, uint64_t lamport_time) {
  node::RaftPeerMessage message;
  consensus::Message& m = message.raft;
  const int type = static_cast<int>(in.type());
  if (type < 1 || type > 13) return malformed(fmt::format("unknown Raft message type {}", type));
  m.type = static_cast<consensus::MessageType>(type);
  m.from = NodeId(in.from());
  m.to = NodeId(in.to());
  m.term = Term(in.term());
  m.log_term = Term(in.log_term());
  m.index = LogIndex(in.index());
  for (proto::Entry& entry : *in.mutable_entries()) {
    m.entries.push_back(LogEntry{LogIndex(entry.index()), Term(entry.term()),
                                 entry.type() == proto::ENTRY_TYPE_CONF_CHANGE
                                     ? EntryType::kConfChange
                                     : EntryType::kNormal,
                                 std::move(*entry.mutable_data())});
  }
  m.commit = LogIndex(in.commit());
  m.reject = in.reject();
  m.reject_hint = LogIndex(in.reject_hint());
  m.reject_hint_term = Term(in.reject_hint_term());
  m.context = std::move(*in.mutable_context());
  m.lamport_time = lamport_time;
  if (m.type == consensus::MessageType::kSnapshot) {
    if (!in.has_snapshot()) return malformed("a snapshot message without metadata");
    consensus::Snapshot snapshot;
    snapshot.metadata.last = {LogIndex(in.snapshot().index()), Term(in.snapshot().term())};
    snapshot.metadata.conf_state = from_wire(in.snapshot().conf_state());
    snapshot.data = std::move(*in.mutable_snapshot_state());
    if (BlobId::of(snapshot.data).bytes() != in.snapshot().state_blob_hash()) {
      return Status(ErrorCode::kCorrupt, "peer message: snapshot state does not match its hash");
    }
    m.snapshot = std::move(snapshot);
  }
  for (proto::InlineBlob& blob : *in.mutable_inline_blobs()) {
    Result<BlobId> id = blob_id(blob.hash());
    if (!id.is_ok()) return id.status();
    message.blobs.push_back(node::InlineBlob{*id, std::move(*blob.mutable_data())});
  }
  return node::PeerMessage(std::move(message));
}

// The BlobChunk of a whole value, built without SerializeAsString(), which
// zero-fills a string of the message's size before it writes over it: the
// fields before `data`, then data's key (field 4) and length, then the
// value, appended into room reserved once. Serialization
// writes fields in number order and `data` has the highest, so these are
// the bytes SerializeAsString() would give (the peer wire test compares
// them).
std::string encode_whole_blob_chunk(const BlobId& id, const std::string& bytes) {
  proto::BlobChunk head;
  head.set_blob_hash(std::string(id.bytes()));
  head.set_offset(0);
  head.set_total_size(bytes.size());
  constexpr uint32_t kDataFieldNumber = 4;
  constexpr size_t kKeyAndLengthBytesMax = 1 + 10;
  std::string payload;
  payload.reserve(head.ByteSizeLong() + kKeyAndLengthBytesMax + bytes.size());
  head.AppendToString(&payload);
  if (!bytes.empty()) {
    proto::append_length_delimited_key(kDataFieldNumber, bytes.size(), payload);
    payload.append(bytes);
  }
  return payload;
}

}  // namespace

std::vector<WireMessage> encode_peer_message(node::PeerMessage message) {
  std::vector<WireMessage> out;
  if (auto* raft = std::get_if<node::RaftPeerMessage>(&message)) {
    proto::RaftMessage wire;
    encode_raft(*raft, wire);
    out.push_back({proto::MESSAGE_KIND_RAFT_MESSAGE, wire.SerializeAsString()});
  } else if (auto* push = std::get_if<node::BlobPush>(&message)) {
    for (const node::InlineBlob& blob : push->blobs) {
      out.push_back({proto::MESSAGE_KIND_BLOB_CHUNK, encode_whole_blob_chunk(blob.id, blob.bytes)});
    }
  } else if (const auto* forwarded = std::get_if<node::ForwardedWrite>(&message)) {
    out.push_back({proto::MESSAGE_KIND_FORWARD_REQUEST, encode_forward_request(*forwarded)});
  } else if (const auto* answer = std::get_if<node::ForwardedWriteAnswer>(&message)) {
    out.push_back({proto::MESSAGE_KIND_FORWARD_RESPONSE, encode_forward_response(*answer)});
  } else {
    for (const BlobId& id : std::get<node::BlobRequest>(message).ids) {
      proto::BlobAck ack;
      ack.set_blob_hash(std::string(id.bytes()));
      ack.set_status(proto::BLOB_ACK_STATUS_SEND_FROM);
      ack.set_received_bytes(0);
      out.push_back({proto::MESSAGE_KIND_BLOB_ACK, ack.SerializeAsString()});
    }
  }
  return out;
}

Result<node::PeerMessage> decode_peer_message(const proto::Envelope& envelope) {
  switch (envelope.kind()) {
    case proto::MESSAGE_KIND_RAFT_MESSAGE: {
      proto::RaftMessage wire;
      if (!wire.ParseFromString(envelope.payload())) return malformed("RaftMessage does not parse");
      return decode_raft(wire, envelope.lamport_time());
    }
    case proto::MESSAGE_KIND_BLOB_CHUNK: {
      proto::BlobChunk chunk;
      if (!chunk.ParseFromString(envelope.payload())) return malformed("BlobChunk does not parse");
      if (chunk.offset() != 0 || chunk.total_size() != chunk.data().size()) {
        return malformed("version 1 sends every value as one whole chunk");
      }
      Result<BlobId> id = blob_id(chunk.blob_hash());
      if (!id.is_ok()) return id.status();
      // Built in place: a braced list would copy the value out of it.
      node::BlobPush push;
      push.blobs.push_back(node::InlineBlob{*id, std::move(*chunk.mutable_data())});
      return node::PeerMessage(std::move(push));
    }
    case proto::MESSAGE_KIND_BLOB_ACK: {
      proto::BlobAck ack;
      if (!ack.ParseFromString(envelope.payload())) return malformed("BlobAck does not parse");
      Result<BlobId> id = blob_id(ack.blob_hash());
      if (!id.is_ok()) return id.status();
      return node::PeerMessage(node::BlobRequest{{*id}});
    }
    case proto::MESSAGE_KIND_FORWARD_REQUEST: {
      Result<node::ForwardedWrite> forwarded = decode_forward_request(envelope.payload());
      if (!forwarded.is_ok()) return forwarded.status();
      return node::PeerMessage(std::move(forwarded).value());
    }
    case proto::MESSAGE_KIND_FORWARD_RESPONSE: {
      Result<node::ForwardedWriteAnswer> answer = decode_forward_response(envelope.payload());
      if (!answer.is_ok()) return answer.status();
      return node::PeerMessage(std::move(answer).value());
    }
    default:
      return malformed(fmt::format("kind {} is not a peer message",
                                   static_cast<int>(envelope.kind())));
  }
}

}  // namespace quokka::server
