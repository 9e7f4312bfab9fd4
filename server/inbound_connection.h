#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "common/types.h"
#include "proto/handshake.pb.h"
#include "server/framed_socket.h"

namespace quokka::server {

class Server;

// A connection someone opened to this node, client or peer. The first frame
// must be a Hello; the reply fixes the protocol version for the rest of the
// connection, or refuses it (UNSUPPORTED_VERSION naming both ranges, a
// wrong cluster) and closes. A client may have at most
// `inflight_requests_max` requests outstanding; past that each is refused
// with OVERLOADED at once. A client that does not read its answers is cut
// off when its queued answers pass the write bound.
class InboundConnection : public FramedSocket {
 public:
  InboundConnection(asio::ip::tcp::socket socket, Server& server, bool peer_port,
                    uint64_t inflight_requests_max);

  void respond(proto::Envelope envelope);
  void request_finished() { --inflight_; }
  bool try_start_request();
  uint64_t inflight() const { return inflight_; }
  bool is_client() const { return role_ == proto::ROLE_CLIENT; }
  bool on_peer_port() const { return peer_port_; }
  // The node id a peer gave in its Hello; NodeId(0) before it, or for a
  // client.
  NodeId peer_id() const {
    return role_ == proto::ROLE_PEER ? NodeId(peer_id_) : NodeId(0);
  }
  uint32_t version() const { return version_; }
  std::chrono::steady_clock::time_point opened() const { return opened_; }

 protected:
  void on_frame(proto::Envelope envelope) override;
  void on_closed() override;

 private:
  void refuse(proto::Envelope reply_to, const Status& status);

  Server& server_;
  bool peer_port_;
  uint64_t inflight_requests_max_;
  uint64_t inflight_ = 0;
  proto::Role role_ = proto::ROLE_UNSPECIFIED;
  uint64_t peer_id_ = 0;
  uint32_t version_ = 0;
  std::chrono::steady_clock::time_point opened_ = std::chrono::steady_clock::now();
};

}  // namespace quokka::server
