#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <asio.hpp>

#include "common/types.h"
#include "config/host_port.h"
#include "proto/envelope.pb.h"
#include "server/daemon_log.h"
#include "server/framed_socket.h"
#include "server/peer_outbox.h"

namespace quokka::server {

// The outgoing connection to one peer: dials, says Hello as a peer, then
// sends this node's messages to it. Messages wait in a PeerOutbox, bounded
// in count and bytes, with control messages ahead of appends and value
// pushes; what the bounds drop is counted (Raft retries what matters). Redials with a capped
// backoff.
class PeerLink : public std::enable_shared_from_this<PeerLink> {
 public:
  struct Options {
    NodeId self;
    NodeId peer;
    HostPort address;
    std::string cluster_id;
    uint32_t max_frame_bytes = 0;
    uint64_t queue_messages_max = 1024;
    uint64_t queue_bytes_max = 64 * 1024 * 1024;
    // Seconds a message waited in the link's queue, reported as it leaves
    // (handed to the socket, or dropped). Optional.
    std::function<void(double)> waited;
  };

  // `lost` runs (on the event loop) each time an established connection to
  // the peer breaks: what was in flight on it may never arrive.
  PeerLink(asio::io_context& io, Options options, DaemonLog& log,
           std::function<void()> lost = {});

  void start();
  void stop();
  void send(proto::Envelope envelope, PeerOutbox::Lane lane);

  uint64_t dropped() const { return outbox_.dropped(); }
  uint64_t sent_bytes() const { return sent_bytes_; }
  // Failed dials and lost connections.
  uint64_t send_failures() const { return send_failures_; }
  uint64_t queued() const { return outbox_.messages(); }
  // Bytes of the bulk lane, the one bounded in bytes.
  uint64_t queued_bytes() const { return outbox_.bulk_bytes(); }
  bool connected() const { return socket_ != nullptr && ready_; }

 private:
  class Socket;
  void dial();
  void redial_later();
  void handshake_done(bool accepted);
  void flush();
  void drop_socket();

  asio::io_context& io_;
  Options options_;
  DaemonLog& log_;
  std::function<void()> lost_;
  asio::steady_timer timer_;
  std::shared_ptr<Socket> socket_;
  bool ready_ = false;
  bool stopped_ = false;
  uint64_t backoff_ms_ = 50;
  void left_queue(const PeerOutbox::Queued& queued);

  PeerOutbox outbox_;
  uint64_t sent_bytes_ = 0;
  uint64_t send_failures_ = 0;
};

}  // namespace quokka::server
