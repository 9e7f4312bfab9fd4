#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include <asio.hpp>

#include "proto/envelope.pb.h"
#include "proto/frame_decoder.h"
#include "proto/frame_encoder.h"

namespace quokka::server {

// A TCP connection that speaks frames (proto/frame_*.h): reads are decoded
// incrementally, writes queue behind one outstanding async_write. The write
// queue is bounded in bytes: what happens past it is the subclass's choice
// (cut a slow client off, drop a peer message).
class FramedSocket : public std::enable_shared_from_this<FramedSocket> {
 public:
  FramedSocket(asio::ip::tcp::socket socket, proto::FrameDecoderOptions decoder_options,
               uint64_t write_queue_bytes_max);
  virtual ~FramedSocket() = default;

  // Starts reading; on_frame() gets each envelope in order.
  void start_reading();
  // Queues one frame. False when the queue is full or the socket is closed;
  // then nothing is queued and the envelope is left as it was. When queued,
  // the envelope's payload has moved into the queue (no copy of it is made).
  bool send(proto::Envelope&& envelope, uint32_t max_frame_bytes);
  // The same for an envelope the caller keeps (its payload is copied).
  bool send(const proto::Envelope& envelope, uint32_t max_frame_bytes);
  // Closes once the queued frames are written (or at once with `now`).
  void close(bool now = false);
  bool closed() const { return closed_; }
  uint64_t queued_bytes() const { return queued_bytes_; }
  std::string remote() const;

 protected:
  virtual void on_frame(proto::Envelope envelope) = 0;
  // The stream ended or failed (a decode error has decoder().error()).
  virtual void on_closed() {}
  // A write of queued frames (up to kGatherFramesMax at once) finished: the
  // queue has room again.
  virtual void on_written() {}
  proto::FrameDecoder& decoder() { return decoder_; }
  asio::ip::tcp::socket& socket() { return socket_; }

 private:
  void read_some();
  void write_next();
  void shut();

  // Frames handed to the kernel in one write at most.
  static constexpr size_t kGatherFramesMax = 64;

  asio::ip::tcp::socket socket_;
  proto::FrameDecoder decoder_;
  std::array<char, 64 * 1024> read_buffer_{};
  std::deque<proto::SplitFrame> write_queue_;
  uint64_t queued_bytes_ = 0;
  uint64_t write_queue_bytes_max_;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace quokka::server
