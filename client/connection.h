#pragma once

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/error_code.h"
#include "common/lamport_clock.h"
#include "proto/envelope.pb.h"
#include "proto/frame_decoder.h"
#include "proto/handshake.pb.h"
#include "proto/protocol_version.h"

// Internal to the client library: one TCP connection to one node.

namespace quokka::client {

struct ConnectionSettings {
  uint64_t client_id = 0;
  std::string agent;
  uint32_t frame_bytes_max = proto::kFrameBytesMaxDefault;
  // TCP connect and the Hello handshake together.
  std::chrono::milliseconds connect_timeout{2000};
  // Told once per connection whether its handshake succeeded.
  std::function<void(bool opened)> on_handshake_finished;
};

// How one request on a connection ended.
struct ConnectionReply {
  // The node's answer (request_id matched), or empty when there is none.
  std::optional<proto::Envelope> envelope;
  // Without an answer: why. The connection's own failure codes are TIMEOUT
  // (could not connect, connection lost, no handshake in time) and TOO_LARGE
  // (the request does not fit in a frame); `node_refused` marks an error the
  // node sent in its HelloReply (UNSUPPORTED_VERSION, SHUTTING_DOWN, ...).
  ErrorCode code = ErrorCode::kOk;
  std::string message;
  bool node_refused = false;
  bool node_definite = true;
  proto::ProtocolVersionRange supported_versions{};
  // Whether the request's bytes may have reached the node. False only when
  // they certainly did not (the connection failed before they were handed
  // to the socket).
  bool may_have_arrived = false;
};

using ReplyHandler = std::function<void(ConnectionReply)>;

// Connects, says Hello, then carries requests and matches their replies by
// request id. Every frame goes through proto::append_frame and
// proto::FrameDecoder. Requests sent before the handshake finishes wait in
// order and go out once it has. Runs on its io_context's one thread; not
// thread-safe.
//
// Every handler passed to send() is called exactly once: with the reply,
// with the connection's failure, or never after forget(id).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, std::string address,
             ConnectionSettings settings, LamportClock& clock);
  ~Connection();

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Resolves, connects and sends Hello. Call once, right after construction.
  void start();

  // Queues a request; returns its request id (unique on this connection).
  uint64_t send(proto::MessageKind kind, std::string payload,
                ReplyHandler handler);

  // Stops waiting for request `request_id`: its handler is dropped uncalled
  // and a late reply is ignored.
  void forget(uint64_t request_id);

  // Fails every request still waiting with `code` / `message`, and closes.
  void close(ErrorCode code, const std::string& message);

  // Closes once no request is waiting (at once if none is).
  void close_when_idle();

  bool is_closed() const { return closed_; }
  bool is_ready() const { return ready_; }
  const std::string& address() const { return address_; }
  // The version the handshake chose; 0 before it finished.
  proto::ProtocolVersion chosen_version() const { return chosen_version_; }

 private:
  struct Unsent {
    uint64_t request_id;
    proto::MessageKind kind;
    std::string payload;
  };

  void on_resolved(const asio::error_code& error,
                   asio::ip::tcp::resolver::results_type endpoints);
  void on_connected(const asio::error_code& error);
  void send_hello();
  void on_hello_reply(const proto::Envelope& envelope);
  void read_more();
  void on_read(const asio::error_code& error, size_t bytes);
  void on_frame(proto::Envelope& envelope);
  // Encodes and queues one request frame at the chosen version.
  void write_request(Unsent request);
  void append_envelope(proto::Envelope& envelope);
  void flush();
  void on_written(const asio::error_code& error);
  void fail_handshake(ErrorCode code, std::string message, bool node_refused,
                      bool node_definite,
                      proto::ProtocolVersionRange supported_versions);
  void close_if_idle();

  asio::io_context& io_;
  std::string address_;
  ConnectionSettings settings_;
  LamportClock& clock_;
  asio::ip::tcp::resolver resolver_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer connect_timer_;
  proto::FrameDecoder decoder_;

  bool ready_ = false;
  bool closed_ = false;
  bool close_when_idle_ = false;
  proto::ProtocolVersion chosen_version_ = 0;
  uint64_t next_request_id_ = 1;
  uint64_t hello_request_id_ = 0;

  // Requests queued before the handshake finished, in order.
  std::deque<Unsent> unsent_;
  // Requests whose frames were handed to the write path, by request id.
  std::map<uint64_t, ReplyHandler> waiting_;
  // Handlers of unsent requests.
  std::map<uint64_t, ReplyHandler> unsent_handlers_;

  // Frames waiting for the write in progress to finish, and the bytes of
  // that write (kept alive until it completes).
  std::string outgoing_;
  std::string writing_;
  bool write_in_progress_ = false;

  std::array<char, 64 * 1024> read_buffer_{};
};

}  // namespace quokka::client
