#pragma once

#include <asio.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "proto/client.pb.h"
#include "proto/envelope.pb.h"
#include "proto/errors.pb.h"
#include "proto/handshake.pb.h"

namespace quokka::client::testing {

// A scripted stand-in for a quokka node: listens on 127.0.0.1 on an
// ephemeral port, answers the Hello (with hello_reply()), records every
// request and answers it as the script says. Runs on a thread of its own.
class FakeServer {
 public:
  // Returns the reply to one request (kind and payload; the server fills
  // in the request id and version), or nothing to never answer it.
  struct Reply {
    proto::MessageKind kind;
    std::string payload;
  };
  using Script = std::function<std::optional<Reply>(const proto::Envelope& request)>;

  FakeServer();
  ~FakeServer();

  // "127.0.0.1:PORT".
  std::string address() const;

  // Default: chosen version 1, versions 1..1, node id 1, no error.
  void set_hello_reply(proto::HelloReply reply);
  // Default: never answer.
  void set_script(Script script);

  // Every request received so far (Hellos excluded), in arrival order.
  std::vector<proto::Envelope> requests() const;
  std::vector<proto::Hello> hellos() const;
  size_t connections() const;

  // Waits (bounded) until at least `count` requests have arrived.
  bool wait_for_requests(size_t count,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  class Session;
  void accept();
  void on_frame(const std::shared_ptr<Session>& session, const proto::Envelope& frame);

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;

  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  proto::HelloReply hello_reply_;
  Script script_;
  std::vector<proto::Envelope> requests_;
  std::vector<proto::Hello> hellos_;
  size_t connections_ = 0;
  std::vector<std::weak_ptr<Session>> sessions_;
};

// Replies for scripts.
template <typename Message>
FakeServer::Reply reply(proto::MessageKind kind, const Message& message) {
  return FakeServer::Reply{kind, message.SerializeAsString()};
}

proto::Error wire_error(proto::ErrorCode code, std::string message, bool definite);

// Options with short timeouts and backoffs, so failures show up quickly
// and every test is bounded in time.
ClientOptions fast_options(std::vector<std::string> endpoints);
std::unique_ptr<Client> make_client(ClientOptions options);

// The index-th request of `kind` among `requests` (an empty envelope when
// there is none).
proto::Envelope request_of_kind(const std::vector<proto::Envelope>& requests,
                                proto::MessageKind kind, size_t index);

// Parses a request's payload.
template <typename Message>
Message parse(const proto::Envelope& envelope) {
  Message message;
  message.ParseFromString(envelope.payload());
  return message;
}

// A callback and the future it fulfils, for the async API.
template <typename T>
std::pair<Callback<T>, std::future<ClientResult<T>>> capture() {
  auto promise = std::make_shared<std::promise<ClientResult<T>>>();
  std::future<ClientResult<T>> future = promise->get_future();
  return {[promise](ClientResult<T> result) { promise->set_value(std::move(result)); },
          std::move(future)};
}

// Typical answers.
FakeServer::Reply put_ok(const proto::Envelope& request, uint64_t revision,
                         uint64_t node_id = 1);
FakeServer::Reply get_ok(const proto::Envelope& request, std::string value,
                         uint64_t revision, uint64_t node_id = 1);
// A response of `response_kind` that carries only `error`.
FakeServer::Reply error_response(proto::MessageKind response_kind, proto::Error error);

// An address where nothing listens (a port that was just free).
std::string unused_address();

}  // namespace quokka::client::testing
