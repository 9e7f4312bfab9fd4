#pragma once

#include <functional>
#include <memory>
#include <string>

#include <asio.hpp>

#include "common/status.h"
#include "config/host_port.h"

namespace quokka::server {

// The metrics port: a deliberately small HTTP/1.1 server for GET /metrics
// (Prometheus text format) and GET /health (200 or 503 with a JSON body).
// One request per connection; the request head is bounded (8 KiB) and so
// is the time a connection may take, so a stuck scraper holds nothing.
class MetricsHttp {
 public:
  struct Health {
    bool healthy = false;
    std::string json;
  };
  using MetricsText = std::function<std::string()>;
  using HealthCheck = std::function<Health()>;

  MetricsHttp(asio::io_context& io, MetricsText metrics, HealthCheck health);
  Status listen(const HostPort& address, int backlog);
  void stop();

 private:
  class Exchange;
  void accept();

  asio::io_context& io_;
  asio::ip::tcp::acceptor acceptor_;
  MetricsText metrics_;
  HealthCheck health_;
};

}  // namespace quokka::server
