#include "server/metrics_http.h"

#include <fmt/format.h>

namespace quokka::server {
namespace {

constexpr size_t kRequestHeadBytesMax = 8192;
constexpr auto kExchangeTimeout = std::chrono::seconds(10);

std::string http_response(int status, std::string_view reason, std::string_view content_type,
                          std::string_view body) {
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
      status, reason, content_type, body.size(), body);
}

}  // namespace

class MetricsHttp::Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(asio::ip::tcp::socket socket, MetricsHttp& server)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(server),
        head_(kRequestHeadBytesMax) {}

  void start() {
    timer_.expires_after(kExchangeTimeout);
    timer_.async_wait([self = shared_from_this()](const asio::error_code& error) {
      if (!error) self->close();
    });
    asio::async_read_until(socket_, head_, "\r\n\r\n",
                           [self = shared_from_this()](const asio::error_code& error, size_t) {
                             self->answer(error);
                           });
  }

 private:
  void answer(const asio::error_code& error) {
    if (error) {
      // A head over the bound, or a peer that went away.
      if (error == asio::error::not_found) {
        respond(http_response(431, "Request Header Fields Too Large", "text/plain",
                              "request head over 8192 bytes\n"));
      } else {
        close();
      }
      return;
    }
    std::istream stream(&head_);
    std::string method, target;
    stream >> method >> target;
    if (method != "GET") {
      respond(http_response(405, "Method Not Allowed", "text/plain", "only GET\n"));
    } else if (target == "/metrics") {
      respond(http_response(200, "OK", "text/plain; version=0.0.4", server_.metrics_()));
    } else if (target == "/health") {
      const Health health = server_.health_();
      respond(http_response(health.healthy ? 200 : 503,
                            health.healthy ? "OK" : "Service Unavailable", "application/json",
                            health.json + "\n"));
    } else {
      respond(http_response(404, "Not Found", "text/plain", "try /metrics or /health\n"));
    }
  }

  void respond(std::string response) {
    response_ = std::move(response);
    asio::async_write(socket_, asio::buffer(response_),
                      [self = shared_from_this()](const asio::error_code&, size_t) {
                        self->close();
                      });
  }

  void close() {
    asio::error_code ignored;
    timer_.cancel();
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  MetricsHttp& server_;
  asio::streambuf head_;
  std::string response_;
};

MetricsHttp::MetricsHttp(asio::io_context& io, MetricsText metrics, HealthCheck health)
    : io_(io), acceptor_(io), metrics_(std::move(metrics)), health_(std::move(health)) {}

Status MetricsHttp::listen(const HostPort& address, int backlog) {
  asio::error_code error;
  asio::ip::tcp::resolver resolver(io_);
  auto endpoints = resolver.resolve(address.host, std::to_string(address.port), error);
  if (!error && endpoints.empty()) error = asio::error::host_not_found;
  if (!error) {
    const asio::ip::tcp::endpoint endpoint = *endpoints.begin();
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(backlog, error);
  }
  if (error) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("cannot listen for metrics on {}: {}", address.to_string(),
                              error.message()));
  }
  accept();
  return Status::ok();
}

void MetricsHttp::stop() {
  asio::error_code ignored;
  acceptor_.close(ignored);
}

void MetricsHttp::accept() {
  acceptor_.async_accept([this](const asio::error_code& error, asio::ip::tcp::socket socket) {
    if (error) {
      if (acceptor_.is_open()) accept();
      return;
    }
    std::make_shared<Exchange>(std::move(socket), *this)->start();
    accept();
  });
}

}  // namespace quokka::server
