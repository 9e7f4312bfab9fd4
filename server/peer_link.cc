#include "server/peer_link.h"

#include "proto/frame_format.h"
#include "proto/handshake.pb.h"
#include "proto/protocol_version.h"

namespace quokka::server {
namespace {

constexpr uint64_t kBackoffMaxMs = 1000;
// A peer's outgoing bytes beyond which a message waits in the link's own
// outbox instead of the socket's queue. Small, because the socket's queue
// is first come first served: a heartbeat handed to it waits behind all of
// it, while in the outbox it goes ahead of every append and value push.
constexpr uint64_t kSocketQueueBytesMax = 4 * 1024 * 1024;

}  // namespace

class PeerLink::Socket : public FramedSocket {
 public:
  Socket(asio::ip::tcp::socket socket, uint32_t max_frame_bytes, std::weak_ptr<PeerLink> link)
      : FramedSocket(std::move(socket), proto::FrameDecoderOptions{max_frame_bytes},
                     kSocketQueueBytesMax),
        link_(std::move(link)) {}

 protected:
  void on_frame(proto::Envelope envelope) override {
    if (answered_) return;  // peers answer on their own connection
    answered_ = true;
    bool accepted = false;
    if (envelope.kind() == proto::MESSAGE_KIND_HELLO_REPLY) {
      proto::HelloReply reply;
      accepted = reply.ParseFromString(envelope.payload()) && !reply.has_error() &&
                 reply.chosen_version() != 0;
    }
    if (auto link = link_.lock()) link->handshake_done(accepted);
  }
  void on_closed() override {
    if (auto link = link_.lock()) link->handshake_done(false);
  }
  void on_written() override {
    if (auto link = link_.lock()) link->flush();
  }

 public:
  // The link gave up on this socket; it reports nothing more.
  void detach() { link_.reset(); }

 private:
  std::weak_ptr<PeerLink> link_;
  bool answered_ = false;
};

PeerLink::PeerLink(asio::io_context& io, Options options, DaemonLog& log,
                   std::function<void()> lost)
    : io_(io),
      options_(std::move(options)),
      log_(log),
      lost_(std::move(lost)),
      timer_(io),
      outbox_(PeerOutbox::Limits{options_.queue_messages_max, options_.queue_bytes_max}) {}

void PeerLink::start() { dial(); }

void PeerLink::stop() {
  stopped_ = true;
  timer_.cancel();
  drop_socket();
}

void PeerLink::drop_socket() {
  std::shared_ptr<Socket> socket = std::move(socket_);
  if (!socket) return;
  socket->detach();
  socket->close(true);
}

void PeerLink::send(proto::Envelope envelope, PeerOutbox::Lane lane) {
  if (stopped_) return;
  outbox_.push(std::move(envelope), lane, std::chrono::steady_clock::now(),
               [this](const PeerOutbox::Queued& dropped) { left_queue(dropped); });
  flush();
}

void PeerLink::left_queue(const PeerOutbox::Queued& queued) {
  if (!options_.waited) return;
  options_.waited(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - queued.since).count());
}

void PeerLink::flush() {
  if (!ready_ || !socket_) return;
  // Bounded: each turn hands one message to the socket or stops.
  while (PeerOutbox::Queued* next = outbox_.front()) {
    // A refused send leaves the envelope whole; an accepted one has taken
    // its payload, and the message leaves the outbox below.
    if (!socket_->send(std::move(next->envelope), options_.max_frame_bytes)) {
      if (socket_->closed()) return;
      if (socket_->queued_bytes() > 0) return;  // full: flush() runs again as it drains
      // Refused with nothing queued: the message does not fit in a frame and
      // never will; waiting on it would stop its lane for good.
      log_.warn("dropping a message of {} bytes to peer {}: larger than a frame of {} bytes",
                next->bytes, options_.peer.value(), options_.max_frame_bytes);
      left_queue(outbox_.drop_front());
      continue;
    }
    sent_bytes_ += proto::kFrameHeaderBytes + next->bytes;
    left_queue(*next);
    outbox_.pop();
  }
}

void PeerLink::dial() {
  if (stopped_) return;
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(io_);
  auto self = shared_from_this();
  resolver->async_resolve(
      options_.address.host, std::to_string(options_.address.port),
      [self, resolver](const asio::error_code& error, asio::ip::tcp::resolver::results_type results) {
        if (self->stopped_) return;
        if (error) {
          ++self->send_failures_;
          return self->redial_later();
        }
        auto socket = std::make_shared<asio::ip::tcp::socket>(self->io_);
        asio::async_connect(*socket, results,
                            [self, socket](const asio::error_code& connect_error,
                                           const asio::ip::tcp::endpoint&) {
                              if (self->stopped_) return;
                              if (connect_error) {
                                ++self->send_failures_;
                                return self->redial_later();
                              }
                              self->socket_ = std::make_shared<Socket>(
                                  std::move(*socket), self->options_.max_frame_bytes, self);
                              self->socket_->start_reading();
                              proto::Hello hello;
                              hello.set_role(proto::ROLE_PEER);
                              hello.set_min_version(proto::kProtocolVersionMin);
                              hello.set_max_version(proto::kProtocolVersionMax);
                              hello.set_cluster_id(self->options_.cluster_id);
                              hello.set_node_id(self->options_.self.value());
                              hello.set_agent("quokkad");
                              proto::Envelope envelope;
                              envelope.set_protocol_version(proto::kProtocolVersionMin);
                              envelope.set_kind(proto::MESSAGE_KIND_HELLO);
                              envelope.set_payload(hello.SerializeAsString());
                              self->socket_->send(envelope, self->options_.max_frame_bytes);
                            });
      });
}

void PeerLink::handshake_done(bool accepted) {
  if (stopped_) return;
  if (accepted) {
    ready_ = true;
    backoff_ms_ = 50;
    log_.info("connected to peer {} at {}", options_.peer.value(), options_.address.to_string());
    flush();
    return;
  }
  // A refused handshake or a lost connection: either way the peer cannot
  // be sent to.
  ++send_failures_;
  const bool was_ready = ready_;
  if (was_ready) log_.warn("lost the connection to peer {}", options_.peer.value());
  ready_ = false;
  drop_socket();
  redial_later();
  if (was_ready && lost_) lost_();
}

void PeerLink::redial_later() {
  if (stopped_) return;
  timer_.expires_after(std::chrono::milliseconds(backoff_ms_));
  backoff_ms_ = std::min<uint64_t>(backoff_ms_ * 2, kBackoffMaxMs);
  timer_.async_wait([self = shared_from_this()](const asio::error_code& error) {
    if (!error) self->dial();
  });
}

}  // namespace quokka::server
