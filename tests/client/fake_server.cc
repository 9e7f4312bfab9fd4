#include "tests/client/fake_server.h"

#include <deque>

#include "proto/frame_decoder.h"
#include "proto/frame_encoder.h"

namespace quokka::client::testing {

// One accepted connection: decodes frames, hands them to the server, and
// writes replies in order.
class FakeServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(FakeServer& server, asio::ip::tcp::socket socket)
      : server_(server), socket_(std::move(socket)) {}

  void start() { read(); }

  void send(proto::Envelope envelope) {
    std::string frame;
    const Status status = proto::append_frame(envelope, proto::kFrameBytesMaxDefault, frame);
    if (!status.is_ok()) return;
    queue_.push_back(std::move(frame));
    if (queue_.size() == 1) write();
  }

  void close_after_writes() {
    close_after_writes_ = true;
    if (queue_.empty()) close();
  }

  void close() {
    asio::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void read() {
    socket_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](
                                                       const asio::error_code& error,
                                                       size_t bytes) {
      if (error) return;
      std::vector<proto::Envelope> frames;
      const Status status =
          self->decoder_.feed(std::string_view(self->buffer_.data(), bytes), frames);
      for (const proto::Envelope& frame : frames) self->server_.on_frame(self, frame);
      if (!status.is_ok()) {
        self->close();
        return;
      }
      self->read();
    });
  }

  void write() {
    asio::async_write(socket_, asio::buffer(queue_.front()),
                      [self = shared_from_this()](const asio::error_code& error, size_t) {
                        if (error) return;
                        self->queue_.pop_front();
                        if (!self->queue_.empty()) {
                          self->write();
                        } else if (self->close_after_writes_) {
                          self->close();
                        }
                      });
  }

  FakeServer& server_;
  asio::ip::tcp::socket socket_;
  proto::FrameDecoder decoder_;
  std::array<char, 64 * 1024> buffer_{};
  std::deque<std::string> queue_;
  bool close_after_writes_ = false;
};

FakeServer::FakeServer()
    : acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  hello_reply_.set_chosen_version(1);
  hello_reply_.set_min_version(1);
  hello_reply_.set_max_version(1);
  hello_reply_.set_node_id(1);
  accept();
  thread_ = std::thread([this] { io_.run(); });
}

FakeServer::~FakeServer() {
  // Stopping drops every pending handler, and with them the sessions and
  // their sockets, so clients see the connections close.
  io_.stop();
  thread_.join();
}

std::string FakeServer::address() const {
  return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
}

void FakeServer::set_hello_reply(proto::HelloReply reply) {
  std::lock_guard lock(mutex_);
  hello_reply_ = std::move(reply);
}

void FakeServer::set_script(Script script) {
  std::lock_guard lock(mutex_);
  script_ = std::move(script);
}

std::vector<proto::Envelope> FakeServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<proto::Hello> FakeServer::hellos() const {
  std::lock_guard lock(mutex_);
  return hellos_;
}

size_t FakeServer::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

bool FakeServer::wait_for_requests(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

void FakeServer::accept() {
  acceptor_.async_accept([this](const asio::error_code& error, asio::ip::tcp::socket socket) {
    if (error) return;
    auto session = std::make_shared<Session>(*this, std::move(socket));
    {
      std::lock_guard lock(mutex_);
      ++connections_;
      sessions_.push_back(session);
    }
    session->start();
    accept();
  });
}

void FakeServer::on_frame(const std::shared_ptr<Session>& session,
                          const proto::Envelope& frame) {
  if (frame.kind() == proto::MESSAGE_KIND_HELLO) {
    proto::Hello hello;
    hello.ParseFromString(frame.payload());
    proto::HelloReply hello_reply;
    {
      std::lock_guard lock(mutex_);
      hellos_.push_back(hello);
      hello_reply = hello_reply_;
    }
    proto::Envelope envelope;
    envelope.set_protocol_version(frame.protocol_version());
    envelope.set_request_id(frame.request_id());
    envelope.set_kind(proto::MESSAGE_KIND_HELLO_REPLY);
    envelope.set_payload(hello_reply.SerializeAsString());
    session->send(std::move(envelope));
    if (hello_reply.has_error()) session->close_after_writes();
    return;
  }
  Script script;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(frame);
    script = script_;
  }
  arrived_.notify_all();
  if (!script) return;
  std::optional<Reply> answer = script(frame);
  if (!answer) return;
  proto::Envelope envelope;
  envelope.set_protocol_version(frame.protocol_version());
  envelope.set_request_id(frame.request_id());
  envelope.set_kind(answer->kind);
  envelope.set_payload(std::move(answer->payload));
  session->send(std::move(envelope));
}

proto::Error wire_error(proto::ErrorCode code, std::string message, bool definite) {
  proto::Error error;
  error.set_code(code);
  error.set_message(std::move(message));
  error.set_definite(definite);
  return error;
}

ClientOptions fast_options(std::vector<std::string> endpoints) {
  ClientOptions options;
  options.endpoints = std::move(endpoints);
  options.request_deadline_default = std::chrono::milliseconds(3000);
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.retry.attempt_timeout = std::chrono::milliseconds(300);
  options.retry.backoff_base = std::chrono::milliseconds(5);
  options.retry.backoff_max = std::chrono::milliseconds(20);
  options.retry.jitter_seed = 1;
  return options;
}

std::unique_ptr<Client> make_client(ClientOptions options) {
  Result<std::unique_ptr<Client>> client = Client::create(std::move(options));
  QUOKKA_ASSERT(client.is_ok(), "test client: {}", client.status().to_string());
  return std::move(client).value();
}

proto::Envelope request_of_kind(const std::vector<proto::Envelope>& requests,
                                proto::MessageKind kind, size_t index) {
  size_t seen = 0;
  for (const proto::Envelope& request : requests) {
    if (request.kind() != kind) continue;
    if (seen++ == index) return request;
  }
  return proto::Envelope();
}

FakeServer::Reply put_ok(const proto::Envelope& request, uint64_t revision,
                         uint64_t node_id) {
  const auto put = parse<proto::PutRequest>(request);
  proto::PutResponse response;
  response.mutable_header()->set_revision(revision);
  response.mutable_header()->set_raft_term(3);
  response.mutable_header()->set_node_id(node_id);
  response.mutable_kv()->set_key(put.key());
  response.mutable_kv()->set_mod_revision(revision);
  response.mutable_kv()->set_create_revision(revision);
  response.mutable_kv()->set_version(1);
  response.mutable_kv()->set_value_size(put.value().size());
  return reply(proto::MESSAGE_KIND_PUT_RESPONSE, response);
}

FakeServer::Reply get_ok(const proto::Envelope& request, std::string value,
                         uint64_t revision, uint64_t node_id) {
  const auto get = parse<proto::GetRequest>(request);
  proto::GetResponse response;
  response.mutable_header()->set_revision(revision);
  response.mutable_header()->set_raft_term(3);
  response.mutable_header()->set_node_id(node_id);
  response.mutable_kv()->set_key(get.key());
  response.mutable_kv()->set_value_size(value.size());
  response.mutable_kv()->set_value(std::move(value));
  response.mutable_kv()->set_mod_revision(revision);
  return reply(proto::MESSAGE_KIND_GET_RESPONSE, response);
}

FakeServer::Reply error_response(proto::MessageKind response_kind, proto::Error error) {
  // Every client response has `header` = 1 and `error` = 2, so one message
  // type serves for all of them on the wire.
  proto::PutResponse response;
  response.mutable_header()->set_raft_term(3);
  *response.mutable_error() = std::move(error);
  return FakeServer::Reply{response_kind, response.SerializeAsString()};
}

std::string unused_address() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(
      io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  acceptor.close();
  return "127.0.0.1:" + std::to_string(port);
}

}  // namespace quokka::client::testing
