// quokka-loopback-probe: how long one round trip between two processes over
// TCP on 127.0.0.1 takes on this machine. A second process echoes what the
// first sends (`--size` bytes, TCP_NODELAY, as quokka's and etcd's
// connections are); the first times `--count` round trips and prints the
// latency quantiles as one JSON line.
//
// The other floor of a durable write, beside the disk's sync: a put from a
// client crosses two such round trips at least (client and leader, leader
// and follower), so compare-etcd.sh sets the single-client put's p50
// against both.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench/probe_quantiles.h"

namespace {

// No read or write waits longer: a stuck peer ends the probe with an error.
constexpr int kIoTimeoutSeconds = 5;

std::string failed(std::string_view what) {
  return fmt::format("{}: {}", what, std::strerror(errno));
}

void bound_and_nodelay(int fd) {
  const timeval timeout{kIoTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Reads exactly `size` bytes; false on EOF, error or timeout.
bool read_exactly(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t got = ::read(fd, data, size);
    if (got <= 0) return false;
    data += got;
    size -= static_cast<size_t>(got);
  }
  return true;
}

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t put = ::write(fd, data, size);
    if (put <= 0) return false;
    data += put;
    size -= static_cast<size_t>(put);
  }
  return true;
}

// The echoing process: answers every message until the prober closes.
[[noreturn]] void echo(int listener, size_t size) {
  const int fd = ::accept(listener, nullptr, nullptr);
  if (fd < 0) ::_exit(1);
  bound_and_nodelay(fd);
  std::string buffer(size, '\0');
  while (read_exactly(fd, buffer.data(), size) && write_all(fd, buffer.data(), size)) {
  }
  ::_exit(0);
}

// Times `count` round trips after `warmup` untimed ones. Returns what
// failed, or "".
std::string probe(uint16_t port, size_t size, int warmup, int count,
                  std::vector<double>& microseconds) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return failed("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const std::string failure = failed("connect to 127.0.0.1");
    ::close(fd);
    return failure;
  }
  bound_and_nodelay(fd);
  std::string message(size, 'q');
  std::string answer(size, '\0');
  std::string failure;
  microseconds.reserve(static_cast<size_t>(count));
  for (int i = 0; i < warmup + count; ++i) {
    const auto began = std::chrono::steady_clock::now();
    if (!write_all(fd, message.data(), size) || !read_exactly(fd, answer.data(), size)) {
      failure = fmt::format("round trip {} failed or took over {} s: {}", i + 1,
                            kIoTimeoutSeconds, std::strerror(errno));
      break;
    }
    if (i >= warmup) {
      microseconds.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - began)
              .count());
    }
  }
  ::close(fd);
  return failure;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 2000;
  int size = 64;
  CLI::App app{"quokka-loopback-probe: TCP round trip between two processes on 127.0.0.1"};
  app.add_option("--count", count, "timed round trips")
      ->check(CLI::Range(10, 1000000))
      ->capture_default_str();
  app.add_option("--size", size, "bytes each way per round trip")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const int warmup = std::min(count, 100);

  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;  // any free port: the probe never collides with a server
  socklen_t length = sizeof address;
  if (listener < 0 ||
      ::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::cerr << "quokka-loopback-probe: " << failed("listening on 127.0.0.1") << "\n";
    return 1;
  }
  const pid_t echoer = ::fork();
  if (echoer < 0) {
    std::cerr << "quokka-loopback-probe: " << failed("fork") << "\n";
    return 1;
  }
  if (echoer == 0) echo(listener, static_cast<size_t>(size));
  ::close(listener);

  std::vector<double> microseconds;
  const std::string failure =
      probe(ntohs(address.sin_port), static_cast<size_t>(size), warmup, count, microseconds);
  // The echoer ends when the connection closes (or its accept or reads time
  // out), so this wait is bounded too.
  int status = 0;
  ::waitpid(echoer, &status, 0);
  if (!failure.empty()) {
    std::cerr << "quokka-loopback-probe: " << failure << "\n";
    return 1;
  }
  std::cout << fmt::format(R"({{"count":{},"size":{},{}}})", microseconds.size(), size,
                           quokka::probe::quantile_fields(microseconds))
            << "\n";
  return 0;
}
