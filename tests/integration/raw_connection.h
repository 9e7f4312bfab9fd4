#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "proto/envelope.pb.h"
#include "proto/frame_decoder.h"
#include "proto/handshake.pb.h"

namespace quokka::integration {

// A client connection without the client library: blocking POSIX socket
// calls, each bounded by a timeout, and the frame codec of proto/. For
// tests that must send what the library never would (a wrong version,
// garbage, nothing at all, requests it never reads answers to).
class RawConnection {
 public:
  // Connects to "127.0.0.1:PORT"; nothing if that fails within `timeout`.
  // receive_buffer_bytes > 0 shrinks the socket's receive buffer (set
  // before connecting, so the window is small from the start).
  static std::unique_ptr<RawConnection> connect(const std::string& endpoint,
                                                std::chrono::milliseconds timeout,
                                                int receive_buffer_bytes = 0);
  ~RawConnection();

  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends all of `bytes`; false if the peer closed or reset the connection
  // or the send did not finish within `timeout`.
  bool send_bytes(std::string_view bytes, std::chrono::milliseconds timeout);
  // One frame of envelope.protocol_version().
  bool send_envelope(const proto::Envelope& envelope, std::chrono::milliseconds timeout);

  // The next frame, waiting at most `timeout`; nothing when the connection
  // closed, failed, timed out or sent an undecodable frame (see
  // last_error()).
  std::optional<proto::Envelope> read_envelope(std::chrono::milliseconds timeout);

  // Reads and discards until the peer closes the connection (EOF or a
  // reset): true if that happens within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);

  // Sends a client Hello with these versions (in a frame of min_version)
  // and returns the HelloReply; nothing if none came within `timeout`.
  std::optional<proto::HelloReply> hello(uint32_t min_version, uint32_t max_version,
                                         uint64_t client_id, std::chrono::milliseconds timeout);

  const std::string& last_error() const { return last_error_; }

 private:
  explicit RawConnection(int fd);
  // Waits for `events` on the socket until the deadline; false on timeout.
  bool wait_for(short events, std::chrono::steady_clock::time_point deadline);

  int fd_;
  proto::FrameDecoder decoder_;
  std::deque<proto::Envelope> decoded_;
  std::string last_error_;
  uint64_t next_request_id_ = 1;
};

// An envelope of protocol version `version` carrying `payload`.
proto::Envelope make_envelope(proto::MessageKind kind, uint64_t request_id,
                              const std::string& payload, uint32_t version = 1);

}  // namespace quokka::integration
