#include "tests/integration/tcp_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "common/assert.h"

namespace quokka::integration {
namespace {

constexpr const char* kLoopbackPrefix = "127.0.0.1:";
// How often the accept loop joins finished connection threads.
constexpr int kReapIntervalMs = 100;
constexpr size_t kBufferBytes = 64 * 1024;

sockaddr_in loopback_address(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  return address;
}

void set_no_delay(int fd) {
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
}

// A connected socket to 127.0.0.1:port, or -1.
int connect_to(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const sockaddr_in address = loopback_address(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data += sent;
    size -= static_cast<size_t>(sent);
  }
  return true;
}

}  // namespace

struct TcpProxy::Pipe {
  Pipe(int down_fd, int up_fd) : down(down_fd), up(up_fd) {}
  ~Pipe() {
    if (thread.joinable()) thread.join();
    ::close(down);
    ::close(up);
  }
  // Ends both directions; the forwarding thread then sees EOF or an error
  // and finishes. The descriptors stay open until the destructor.
  void shut() {
    ::shutdown(down, SHUT_RDWR);
    ::shutdown(up, SHUT_RDWR);
  }

  const int down;  // accepted from the dialer
  const int up;    // dialed to the target
  std::atomic<bool> finished{false};
  std::thread thread;
};

TcpProxy::TcpProxy(std::string target) : target_(std::move(target)) {
  QUOKKA_ASSERT(target_.starts_with(kLoopbackPrefix), "the proxy target {} is not on 127.0.0.1",
                target_);
  const std::string_view port = std::string_view(target_).substr(std::strlen(kLoopbackPrefix));
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), target_port_);
  QUOKKA_ASSERT(error == std::errc() && end == port.data() + port.size() && target_port_ != 0,
                "the proxy target {} has no valid port", target_);

  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  QUOKKA_ASSERT(listen_fd_ >= 0, "socket() failed: {}", std::strerror(errno));
  sockaddr_in address = loopback_address(0);
  QUOKKA_ASSERT(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0,
                "bind(127.0.0.1:0) failed: {}", std::strerror(errno));
  QUOKKA_ASSERT(::listen(listen_fd_, SOMAXCONN) == 0, "listen failed: {}", std::strerror(errno));
  socklen_t length = sizeof(address);
  QUOKKA_ASSERT(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0,
                "getsockname failed: {}", std::strerror(errno));
  address_ = fmt::format("{}{}", kLoopbackPrefix, ntohs(address.sin_port));
  QUOKKA_ASSERT(::pipe2(wake_fds_, O_CLOEXEC) == 0, "pipe2 failed: {}", std::strerror(errno));
  acceptor_ = std::thread([this] { accept_loop(); });
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  const char byte = 0;
  [[maybe_unused]] const ssize_t written = ::write(wake_fds_[1], &byte, 1);
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (const std::unique_ptr<Pipe>& pipe : pipes_) pipe->shut();
    pipes_.clear();  // joins each thread, then closes its sockets
  }
  ::close(listen_fd_);
  ::close(wake_fds_[0]);
  ::close(wake_fds_[1]);
}

void TcpProxy::cut() {
  std::lock_guard lock(mutex_);
  cut_ = true;
  for (const std::unique_ptr<Pipe>& pipe : pipes_) pipe->shut();
}

void TcpProxy::heal() {
  std::lock_guard lock(mutex_);
  cut_ = false;
}

void TcpProxy::accept_loop() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    const int ready = ::poll(fds, 2, kReapIntervalMs);
    reap_finished();
    if (stopping_) break;
    if (ready <= 0 || (fds[0].revents & POLLIN) == 0) continue;
    const int down = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (down < 0) continue;
    if (cut_) {
      ++refused_;
      ::close(down);
      continue;
    }
    const int up = connect_to(target_port_);
    if (up < 0) {
      // The target is down: the dialer sees what it would have seen.
      ::close(down);
      continue;
    }
    set_no_delay(down);
    set_no_delay(up);
    std::lock_guard lock(mutex_);
    if (cut_ || stopping_) {
      // Cut while the target was being dialed.
      ++refused_;
      ::close(down);
      ::close(up);
      continue;
    }
    Pipe& pipe = *pipes_.emplace_back(std::make_unique<Pipe>(down, up));
    pipe.thread = std::thread([&pipe] {
      forward(pipe);
      pipe.finished = true;
    });
    ++forwarded_;
  }
}

void TcpProxy::forward(Pipe& pipe) {
  std::unique_ptr<char[]> buffer(new char[kBufferBytes]);
  pollfd fds[2] = {{pipe.down, POLLIN, 0}, {pipe.up, POLLIN, 0}};
  bool open = true;
  while (open) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int from = 0; from < 2 && open; ++from) {
      if (fds[from].revents == 0) continue;
      const ssize_t received = ::recv(fds[from].fd, buffer.get(), kBufferBytes, 0);
      if (received < 0 && errno == EINTR) continue;
      // EOF or an error on either side ends the whole connection: the
      // nodes' protocol never half-closes.
      open = received > 0 &&
             send_all(fds[1 - from].fd, buffer.get(), static_cast<size_t>(received));
    }
  }
  pipe.shut();
}

void TcpProxy::reap_finished() {
  std::lock_guard lock(mutex_);
  pipes_.remove_if([](const std::unique_ptr<Pipe>& pipe) { return pipe->finished.load(); });
}

}  // namespace quokka::integration
