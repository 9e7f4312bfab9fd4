#include "server/inbound_connection.h"

#include <fmt/format.h>

#include "proto/errors.pb.h"
#include "proto/protocol_version.h"
#include "server/client_wire.h"
#include "server/server.h"

namespace quokka::server {
namespace {

// Answers a client may have queued unread before it is cut off: four
// frames of the largest size.
uint64_t write_bound(uint32_t max_frame_bytes) { return 4ULL * max_frame_bytes; }

proto::FrameDecoderOptions first_frame_options(uint32_t max_frame_bytes) {
  // The Hello's shape is frozen across versions, so it is read in whatever
  // version the caller framed it; the reply then names what we speak.
  return proto::FrameDecoderOptions{max_frame_bytes, proto::ProtocolVersionRange{1, 0xffff}};
}

}  // namespace

InboundConnection::InboundConnection(asio::ip::tcp::socket socket, Server& server,
                                     bool peer_port, uint64_t inflight_requests_max)
    : FramedSocket(std::move(socket), first_frame_options(server.max_frame_bytes()),
                   write_bound(server.max_frame_bytes())),
      server_(server),
      peer_port_(peer_port),
      inflight_requests_max_(inflight_requests_max) {}

bool InboundConnection::try_start_request() {
  if (inflight_ >= inflight_requests_max_) return false;
  ++inflight_;
  return true;
}

void InboundConnection::respond(proto::Envelope envelope) {
  if (closed()) return;
  if (!send(std::move(envelope), server_.max_frame_bytes())) {
    // A client that does not read its answers holds memory of ours; cut it
    // off rather than buffer without bound.
    server_.log().warn("cutting off client {}: {} bytes of answers unread", remote(),
                       queued_bytes());
    close(true);
  }
}

void InboundConnection::refuse(proto::Envelope reply_to, const Status& status) {
  proto::ErrorReply reply;
  fill_error(status, false, *reply.mutable_error());
  proto::Envelope envelope;
  envelope.set_protocol_version(version_ != 0 ? version_ : proto::kProtocolVersionMin);
  envelope.set_lamport_time(server_.lamport_time());
  envelope.set_request_id(reply_to.request_id());
  envelope.set_kind(proto::MESSAGE_KIND_ERROR_REPLY);
  envelope.set_payload(reply.SerializeAsString());
  respond(std::move(envelope));
}

void InboundConnection::on_frame(proto::Envelope envelope) {
  if (role_ == proto::ROLE_UNSPECIFIED) {
    proto::Hello hello;
    if (envelope.kind() != proto::MESSAGE_KIND_HELLO || !hello.ParseFromString(envelope.payload())) {
      refuse(envelope, Status(ErrorCode::kInvalidArgument,
                              "the first message on a connection must be a Hello"));
      close();
      return;
    }
    proto::HelloReply reply = server_.handshake(hello);
    if (!reply.has_error() && (hello.role() == proto::ROLE_PEER) != peer_port_) {
      fill_error(Status(ErrorCode::kInvalidArgument,
                        peer_port_ ? "this is the peer port; clients use the client port"
                                   : "this is the client port; peers use the peer port"),
                 false, *reply.mutable_error());
      reply.set_chosen_version(0);
    }
    proto::Envelope answer;
    answer.set_protocol_version(reply.chosen_version() != 0 ? reply.chosen_version()
                                                            : proto::kProtocolVersionMin);
    answer.set_lamport_time(server_.lamport_time());
    answer.set_request_id(envelope.request_id());
    answer.set_kind(proto::MESSAGE_KIND_HELLO_REPLY);
    answer.set_payload(reply.SerializeAsString());
    respond(std::move(answer));
    if (reply.has_error()) {
      close();
      return;
    }
    role_ = hello.role();
    peer_id_ = hello.node_id();
    version_ = reply.chosen_version();
    decoder().set_accepted_versions(proto::ProtocolVersionRange{
        static_cast<proto::ProtocolVersion>(version_), static_cast<proto::ProtocolVersion>(version_)});
    return;
  }
  if (role_ == proto::ROLE_PEER) {
    server_.peer_message(NodeId(peer_id_), envelope);
    return;
  }
  server_.client_call(std::static_pointer_cast<InboundConnection>(shared_from_this()), envelope);
}

void InboundConnection::on_closed() {
  server_.connection_closed(std::static_pointer_cast<InboundConnection>(shared_from_this()));
}

}  // namespace quokka::server
