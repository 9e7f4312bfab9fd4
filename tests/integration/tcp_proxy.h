#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace quokka::integration {

// A TCP forwarder on 127.0.0.1 that can be cut and healed, to partition the
// network between real processes: put one in front of every link to cut.
// It listens on a port the kernel picks and forwards every connection it
// accepts to `target` ("127.0.0.1:PORT"), bytes both ways, one thread per
// connection. cut() closes every current connection (what was in flight
// is lost) and, until heal(), closes each new one as soon as it is
// accepted, so a dialer sees its connection end before any byte gets
// through. The destructor closes everything and joins every thread.
// Loopback only. Thread-safe.
class TcpProxy {
 public:
  explicit TcpProxy(std::string target);
  ~TcpProxy();

  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // "127.0.0.1:PORT": where to dial instead of the target.
  const std::string& address() const { return address_; }
  const std::string& target() const { return target_; }

  void cut();
  void heal();
  bool is_cut() const { return cut_.load(); }

  // Connections accepted and forwarded, and accepted while cut (closed at
  // once): for failure messages.
  uint64_t forwarded_connections() const { return forwarded_.load(); }
  uint64_t refused_connections() const { return refused_.load(); }

 private:
  struct Pipe;

  void accept_loop();
  // Both directions of one connection until either side ends or it is cut.
  static void forward(Pipe& pipe);
  // Joins and closes the connections whose thread has finished.
  void reap_finished();

  std::string target_;
  uint16_t target_port_ = 0;
  std::string address_;
  int listen_fd_ = -1;
  // Written to wake the accept loop when stopping.
  int wake_fds_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cut_{false};
  std::atomic<uint64_t> forwarded_{0};
  std::atomic<uint64_t> refused_{0};
  std::mutex mutex_;
  // Guarded by mutex_; a pipe's sockets stay open until its thread is
  // joined, so shutting them down from cut() never hits a reused fd.
  std::list<std::unique_ptr<Pipe>> pipes_;
  std::thread acceptor_;
};

}  // namespace quokka::integration
