#include "client/connection.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "client/endpoint.h"
#include "common/assert.h"
#include "proto/error_code_conversion.h"
#include "proto/frame_encoder.h"

namespace quokka::client {
namespace {

// Hands each handler its own copy of `reply`, in request order.
void answer_all(std::map<uint64_t, ReplyHandler>& handlers, const ConnectionReply& reply) {
  for (auto& [request_id, handler] : handlers) handler(reply);
}

}  // namespace

Connection::Connection(asio::io_context& io, std::string address,
                       ConnectionSettings settings, LamportClock& clock)
    : io_(io),
      address_(std::move(address)),
      settings_(std::move(settings)),
      clock_(clock),
      resolver_(io),
      socket_(io),
      connect_timer_(io),
      decoder_(proto::FrameDecoderOptions{
          .max_frame_bytes = settings_.frame_bytes_max,
          .accepted_versions = proto::kSupportedProtocolVersions}) {}

Connection::~Connection() = default;

void Connection::start() {
  Result<Endpoint> endpoint = parse_endpoint(address_);
  if (!endpoint) {
    // Later, so that no handler runs inside the caller's send().
    asio::post(io_, [self = shared_from_this(),
                     message = endpoint.status().message()] {
      self->fail_handshake(ErrorCode::kInvalidArgument, message,
                           /*node_refused=*/false, /*node_definite=*/true, {});
    });
    return;
  }
  connect_timer_.expires_after(settings_.connect_timeout);
  connect_timer_.async_wait(
      [self = shared_from_this()](const asio::error_code& error) {
        if (error || self->ready_ || self->closed_) return;
        self->fail_handshake(
            ErrorCode::kTimeout,
            fmt::format("connecting to {} and the handshake took longer than "
                        "the connect timeout of {} ms",
                        self->address_, self->settings_.connect_timeout.count()),
            false, true, {});
      });
  resolver_.async_resolve(
      endpoint->host, std::to_string(endpoint->port),
      [self = shared_from_this()](
          const asio::error_code& error,
          asio::ip::tcp::resolver::results_type endpoints) {
        self->on_resolved(error, std::move(endpoints));
      });
}

void Connection::on_resolved(const asio::error_code& error,
                             asio::ip::tcp::resolver::results_type endpoints) {
  if (closed_) return;
  if (error) {
    fail_handshake(ErrorCode::kTimeout,
                   fmt::format("cannot resolve {}: {}", address_, error.message()),
                   false, true, {});
    return;
  }
  asio::async_connect(
      socket_, endpoints,
      [self = shared_from_this()](const asio::error_code& connect_error,
                                  const asio::ip::tcp::endpoint&) {
        self->on_connected(connect_error);
      });
}

void Connection::on_connected(const asio::error_code& error) {
  if (closed_) return;
  if (error) {
    fail_handshake(ErrorCode::kTimeout,
                   fmt::format("cannot connect to {}: {}", address_, error.message()),
                   false, true, {});
    return;
  }
  asio::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  send_hello();
  read_more();
}

void Connection::send_hello() {
  proto::Hello hello;
  hello.set_role(proto::ROLE_CLIENT);
  hello.set_min_version(proto::kProtocolVersionMin);
  hello.set_max_version(proto::kProtocolVersionMax);
  hello.set_client_id(settings_.client_id);
  hello.set_agent(settings_.agent);

  proto::Envelope envelope;
  // handshake.proto: Hello travels in a frame of the caller's lowest
  // version, which every node that speaks it at all can read.
  envelope.set_protocol_version(proto::kProtocolVersionMin);
  hello_request_id_ = next_request_id_++;
  envelope.set_request_id(hello_request_id_);
  envelope.set_kind(proto::MESSAGE_KIND_HELLO);
  envelope.set_payload(hello.SerializeAsString());
  append_envelope(envelope);
}

void Connection::on_hello_reply(const proto::Envelope& envelope) {
  if (envelope.kind() == proto::MESSAGE_KIND_ERROR_REPLY) {
    proto::ErrorReply reply;
    if (!reply.ParseFromString(envelope.payload())) {
      fail_handshake(ErrorCode::kTimeout,
                     fmt::format("{} answered Hello with an unreadable ErrorReply",
                                 address_),
                     false, true, {});
      return;
    }
    const std::optional<ErrorCode> code =
        proto::from_wire_error_code(reply.error().code());
    fail_handshake(code.value_or(ErrorCode::kInvalidArgument),
                   fmt::format("{} refused the Hello: {}", address_,
                               reply.error().message()),
                   true, true, {});
    return;
  }
  proto::HelloReply reply;
  if (envelope.kind() != proto::MESSAGE_KIND_HELLO_REPLY ||
      !reply.ParseFromString(envelope.payload())) {
    fail_handshake(ErrorCode::kTimeout,
                   fmt::format("{} answered Hello with a frame of kind {} "
                               "that is not a readable HelloReply",
                               address_, static_cast<int>(envelope.kind())),
                   false, true, {});
    return;
  }
  const proto::ProtocolVersionRange node_versions{
      static_cast<proto::ProtocolVersion>(reply.min_version()),
      static_cast<proto::ProtocolVersion>(reply.max_version())};
  if (reply.has_error() && reply.error().code() != proto::OK) {
    const std::optional<ErrorCode> code =
        proto::from_wire_error_code(reply.error().code());
    proto::ProtocolVersionRange supported = node_versions;
    if (reply.error().has_supported_versions()) {
      supported = {static_cast<proto::ProtocolVersion>(
                       reply.error().supported_versions().min_version()),
                   static_cast<proto::ProtocolVersion>(
                       reply.error().supported_versions().max_version())};
    }
    std::string message = fmt::format("{} refused the connection: {}", address_,
                                      reply.error().message());
    if (code == ErrorCode::kUnsupportedVersion) {
      message += fmt::format(" (the node speaks protocol versions {}; this "
                             "client speaks {})",
                             supported.to_string(),
                             proto::kSupportedProtocolVersions.to_string());
    }
    fail_handshake(code.value_or(ErrorCode::kInvalidArgument), std::move(message),
                   /*node_refused=*/true, /*node_definite=*/true, supported);
    return;
  }
  const uint32_t chosen = reply.chosen_version();
  if (!proto::kSupportedProtocolVersions.contains(chosen)) {
    fail_handshake(
        ErrorCode::kUnsupportedVersion,
        fmt::format("{} chose protocol version {}, which this client does not "
                    "speak (it speaks {}; the node speaks {})",
                    address_, chosen, proto::kSupportedProtocolVersions.to_string(),
                    node_versions.to_string()),
        false, true, node_versions);
    return;
  }
  chosen_version_ = static_cast<proto::ProtocolVersion>(chosen);
  decoder_.set_accepted_versions({chosen_version_, chosen_version_});
  ready_ = true;
  connect_timer_.cancel();
  if (settings_.on_handshake_finished) settings_.on_handshake_finished(true);
  while (!unsent_.empty() && !closed_) {
    Unsent request = std::move(unsent_.front());
    unsent_.pop_front();
    write_request(std::move(request));
  }
}

uint64_t Connection::send(proto::MessageKind kind, std::string payload,
                          ReplyHandler handler) {
  QUOKKA_ASSERT(!closed_, "send on a closed connection to {}", address_);
  const uint64_t request_id = next_request_id_++;
  unsent_handlers_.emplace(request_id, std::move(handler));
  Unsent request{request_id, kind, std::move(payload)};
  if (ready_) {
    write_request(std::move(request));
  } else {
    unsent_.push_back(std::move(request));
  }
  return request_id;
}

void Connection::write_request(Unsent request) {
  auto handler_it = unsent_handlers_.find(request.request_id);
  if (handler_it == unsent_handlers_.end()) return;  // forgotten meanwhile
  ReplyHandler handler = std::move(handler_it->second);
  unsent_handlers_.erase(handler_it);

  proto::Envelope envelope;
  envelope.set_protocol_version(chosen_version_);
  envelope.set_request_id(request.request_id);
  envelope.set_kind(request.kind);
  envelope.set_payload(std::move(request.payload));
  envelope.set_lamport_time(clock_.tick_for_send());
  const Status status =
      proto::append_frame(envelope, settings_.frame_bytes_max, outgoing_);
  if (!status.is_ok()) {
    ConnectionReply reply;
    reply.code = status.code();
    reply.message = status.message();
    // Later, so that no handler runs inside the caller's send().
    asio::post(io_, [handler = std::move(handler), reply = std::move(reply)]() mutable {
      handler(std::move(reply));
    });
    return;
  }
  waiting_.emplace(request.request_id, std::move(handler));
  flush();
}

void Connection::append_envelope(proto::Envelope& envelope) {
  envelope.set_lamport_time(clock_.tick_for_send());
  const Status status =
      proto::append_frame(envelope, settings_.frame_bytes_max, outgoing_);
  QUOKKA_ASSERT(status.is_ok(), "a Hello does not fit a frame: {}",
                status.to_string());
  flush();
}

void Connection::flush() {
  if (write_in_progress_ || outgoing_.empty() || closed_) return;
  write_in_progress_ = true;
  writing_.clear();
  std::swap(writing_, outgoing_);
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](const asio::error_code& error,
                                                size_t) { self->on_written(error); });
}

void Connection::on_written(const asio::error_code& error) {
  write_in_progress_ = false;
  if (closed_) return;
  if (error) {
    close(ErrorCode::kTimeout,
          fmt::format("connection to {} broke while sending: {}", address_,
                      error.message()));
    return;
  }
  flush();
}

void Connection::read_more() {
  socket_.async_read_some(
      asio::buffer(read_buffer_),
      [self = shared_from_this()](const asio::error_code& error, size_t bytes) {
        self->on_read(error, bytes);
      });
}

void Connection::on_read(const asio::error_code& error, size_t bytes) {
  if (closed_) return;
  if (error) {
    const std::string why = error == asio::error::eof
                                ? std::string("the node closed the connection")
                                : error.message();
    if (!ready_) {
      fail_handshake(ErrorCode::kTimeout,
                     fmt::format("no handshake with {}: {}", address_, why), false,
                     true, {});
    } else {
      close(ErrorCode::kTimeout,
            fmt::format("connection to {} lost: {}", address_, why));
    }
    return;
  }
  std::vector<proto::Envelope> frames;
  const Status status =
      decoder_.feed(std::string_view(read_buffer_.data(), bytes), frames);
  // Frames completed before a bad one are still answers.
  for (proto::Envelope& frame : frames) {
    if (closed_) return;
    on_frame(frame);
  }
  if (closed_) return;
  if (!status.is_ok()) {
    const std::string message =
        fmt::format("unreadable stream from {}: {}", address_, status.to_string());
    if (!ready_) {
      fail_handshake(status.code() == ErrorCode::kUnsupportedVersion
                         ? ErrorCode::kUnsupportedVersion
                         : ErrorCode::kTimeout,
                     message, false, true, {});
    } else {
      close(ErrorCode::kTimeout, message);
    }
    return;
  }
  read_more();
}

void Connection::on_frame(proto::Envelope& envelope) {
  clock_.observe(envelope.lamport_time());
  if (!ready_) {
    if (envelope.request_id() == hello_request_id_) on_hello_reply(envelope);
    // Anything else before the HelloReply is not an answer to us.
    return;
  }
  auto it = waiting_.find(envelope.request_id());
  if (it == waiting_.end()) return;  // forgotten, or not a reply
  ReplyHandler handler = std::move(it->second);
  waiting_.erase(it);
  ConnectionReply reply;
  reply.envelope = std::move(envelope);
  reply.may_have_arrived = true;
  handler(std::move(reply));
  close_if_idle();
}

void Connection::forget(uint64_t request_id) {
  waiting_.erase(request_id);
  unsent_handlers_.erase(request_id);
  close_if_idle();
}

void Connection::fail_handshake(ErrorCode code, std::string message,
                                bool node_refused, bool node_definite,
                                proto::ProtocolVersionRange supported_versions) {
  if (closed_) return;
  if (settings_.on_handshake_finished) settings_.on_handshake_finished(false);
  // Nothing but the Hello was sent, so every request certainly did not
  // arrive.
  closed_ = true;
  connect_timer_.cancel();
  asio::error_code ignored;
  resolver_.cancel();
  socket_.close(ignored);
  std::map<uint64_t, ReplyHandler> handlers;
  handlers.swap(unsent_handlers_);
  unsent_.clear();
  ConnectionReply reply;
  reply.code = code;
  reply.message = message;
  reply.node_refused = node_refused;
  reply.node_definite = node_definite;
  reply.supported_versions = supported_versions;
  reply.may_have_arrived = false;
  answer_all(handlers, reply);
}

void Connection::close(ErrorCode code, const std::string& message) {
  if (closed_) return;
  if (!ready_) {
    fail_handshake(code, message, false, true, {});
    return;
  }
  closed_ = true;
  connect_timer_.cancel();
  asio::error_code ignored;
  socket_.close(ignored);
  std::map<uint64_t, ReplyHandler> unsent;
  unsent.swap(unsent_handlers_);
  std::map<uint64_t, ReplyHandler> waiting;
  waiting.swap(waiting_);
  unsent_.clear();
  ConnectionReply reply;
  reply.code = code;
  reply.message = message;
  reply.may_have_arrived = false;
  answer_all(unsent, reply);
  reply.may_have_arrived = true;
  answer_all(waiting, reply);
}

void Connection::close_when_idle() {
  close_when_idle_ = true;
  close_if_idle();
}

void Connection::close_if_idle() {
  if (!close_when_idle_ || closed_) return;
  if (!waiting_.empty() || !unsent_handlers_.empty()) return;
  close(ErrorCode::kShuttingDown, "connection retired");
}

}  // namespace quokka::client
