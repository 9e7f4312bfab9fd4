#include "tests/integration/raw_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "proto/frame_encoder.h"

namespace quokka::integration {
namespace {

// Frames as large as the daemon's default limit are accepted.
proto::FrameDecoderOptions decoder_options() {
  return proto::FrameDecoderOptions{proto::kFrameBytesMaxCeiling,
                                    proto::ProtocolVersionRange{1, 0xffff}};
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

proto::Envelope make_envelope(proto::MessageKind kind, uint64_t request_id,
                              const std::string& payload, uint32_t version) {
  proto::Envelope envelope;
  envelope.set_protocol_version(version);
  envelope.set_lamport_time(1);
  envelope.set_request_id(request_id);
  envelope.set_kind(kind);
  envelope.set_payload(payload);
  return envelope;
}

std::unique_ptr<RawConnection> RawConnection::connect(const std::string& endpoint,
                                                      std::chrono::milliseconds timeout,
                                                      int receive_buffer_bytes) {
  const size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos) return nullptr;
  const std::string host = endpoint.substr(0, colon);
  const int port = std::stoi(endpoint.substr(colon + 1));
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return nullptr;
  std::unique_ptr<RawConnection> connection(new RawConnection(fd));
  if (receive_buffer_bytes > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof(receive_buffer_bytes));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return nullptr;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    if (errno != EINPROGRESS) return nullptr;
    if (!connection->wait_for(POLLOUT, std::chrono::steady_clock::now() + timeout)) {
      return nullptr;
    }
    int error = 0;
    socklen_t length = sizeof(error);
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      return nullptr;
    }
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return connection;
}

RawConnection::RawConnection(int fd) : fd_(fd), decoder_(decoder_options()) {}

RawConnection::~RawConnection() { ::close(fd_); }

bool RawConnection::wait_for(short events, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    pollfd descriptor{fd_, events, 0};
    const int ready = ::poll(&descriptor, 1, remaining_ms(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

bool RawConnection::send_bytes(std::string_view bytes, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<size_t>(sent));
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!wait_for(POLLOUT, deadline)) {
        last_error_ = "send timed out";
        return false;
      }
      continue;
    }
    last_error_ = fmt::format("send failed: {}", std::strerror(errno));
    return false;
  }
  return true;
}

bool RawConnection::send_envelope(const proto::Envelope& envelope,
                                  std::chrono::milliseconds timeout) {
  Result<std::string> frame = proto::encode_frame(envelope, proto::kFrameBytesMaxCeiling);
  if (!frame.is_ok()) {
    last_error_ = frame.status().to_string();
    return false;
  }
  return send_bytes(*frame, timeout);
}

std::optional<proto::Envelope> RawConnection::read_envelope(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<char> buffer(64 * 1024);
  while (decoded_.empty()) {
    if (decoder_.failed()) {
      last_error_ = decoder_.error().to_string();
      return std::nullopt;
    }
    const ssize_t received = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (received > 0) {
      std::vector<proto::Envelope> frames;
      Status status =
          decoder_.feed(std::string_view(buffer.data(), static_cast<size_t>(received)), frames);
      for (proto::Envelope& frame : frames) decoded_.push_back(std::move(frame));
      if (!status.is_ok()) last_error_ = status.to_string();
      continue;
    }
    if (received == 0) {
      last_error_ = "the connection was closed";
      return std::nullopt;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!wait_for(POLLIN, deadline)) {
        last_error_ = fmt::format("no frame within {} ms", timeout.count());
        return std::nullopt;
      }
      continue;
    }
    last_error_ = fmt::format("recv failed: {}", std::strerror(errno));
    return std::nullopt;
  }
  proto::Envelope envelope = std::move(decoded_.front());
  decoded_.pop_front();
  return envelope;
}

bool RawConnection::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<char> buffer(256 * 1024);
  while (true) {
    const ssize_t received = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (received == 0) return true;
    if (received > 0) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!wait_for(POLLIN, deadline)) return false;
      continue;
    }
    return true;  // ECONNRESET and the like: the peer is gone
  }
}

std::optional<proto::HelloReply> RawConnection::hello(uint32_t min_version,
                                                      uint32_t max_version, uint64_t client_id,
                                                      std::chrono::milliseconds timeout) {
  proto::Hello hello;
  hello.set_role(proto::ROLE_CLIENT);
  hello.set_min_version(min_version);
  hello.set_max_version(max_version);
  hello.set_client_id(client_id);
  hello.set_agent("quokka-integration-test");
  const uint64_t request_id = next_request_id_++;
  if (!send_envelope(make_envelope(proto::MESSAGE_KIND_HELLO, request_id,
                                   hello.SerializeAsString(), min_version),
                     timeout)) {
    return std::nullopt;
  }
  std::optional<proto::Envelope> answer = read_envelope(timeout);
  if (!answer) return std::nullopt;
  proto::HelloReply reply;
  if (answer->kind() != proto::MESSAGE_KIND_HELLO_REPLY || !reply.ParseFromString(answer->payload())) {
    last_error_ = fmt::format("expected a HelloReply, got message kind {}",
                              static_cast<int>(answer->kind()));
    return std::nullopt;
  }
  return reply;
}

}  // namespace quokka::integration
