#include "server/framed_socket.h"

#include <algorithm>
#include <vector>

namespace quokka::server {

FramedSocket::FramedSocket(asio::ip::tcp::socket socket,
                           proto::FrameDecoderOptions decoder_options,
                           uint64_t write_queue_bytes_max)
    : socket_(std::move(socket)),
      decoder_(decoder_options),
      write_queue_bytes_max_(write_queue_bytes_max) {
  asio::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
}

std::string FramedSocket::remote() const {
  asio::error_code error;
  auto endpoint = socket_.remote_endpoint(error);
  if (error) return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void FramedSocket::start_reading() { read_some(); }

void FramedSocket::read_some() {
  if (closed_) return;
  // The rest of a large body goes from the kernel straight into the
  // decoder's buffer; everything else through read_buffer_, which may hold
  // the ends and starts of several frames at once.
  const std::span<char> direct = decoder_.direct_read_space(read_buffer_.size());
  const bool into_decoder = !direct.empty();
  const asio::mutable_buffer target =
      into_decoder ? asio::buffer(direct.data(), direct.size()) : asio::buffer(read_buffer_);
  socket_.async_read_some(target, [self = shared_from_this(), into_decoder](
                                      const asio::error_code& error, size_t bytes) {
    if (self->closed_) return;
    if (error) {
      self->shut();
      return;
    }
    std::vector<proto::Envelope> frames;
    Status status =
        into_decoder
            ? self->decoder_.commit_direct_read(bytes, frames)
            : self->decoder_.feed(std::string_view(self->read_buffer_.data(), bytes), frames);
    for (proto::Envelope& frame : frames) {
      if (self->closed_) return;
      self->on_frame(std::move(frame));
    }
    if (!status.is_ok()) {
      self->shut();
      return;
    }
    self->read_some();
  });
}

bool FramedSocket::send(proto::Envelope&& envelope, uint32_t max_frame_bytes) {
  if (closed_ || closing_) return false;
  // The room check comes before the payload moves out, so that a refused
  // envelope is still whole for the caller to retry or drop.
  const uint64_t frame_bytes = proto::kFrameHeaderBytes + envelope.ByteSizeLong();
  if (queued_bytes_ > 0 && queued_bytes_ + frame_bytes > write_queue_bytes_max_) return false;
  Result<proto::SplitFrame> frame = proto::split_frame(envelope, max_frame_bytes);
  if (!frame.is_ok()) return false;
  queued_bytes_ += frame->size();
  write_queue_.push_back(std::move(frame).value());
  if (!writing_) write_next();
  return true;
}

bool FramedSocket::send(const proto::Envelope& envelope, uint32_t max_frame_bytes) {
  return send(proto::Envelope(envelope), max_frame_bytes);
}

void FramedSocket::write_next() {
  if (write_queue_.empty()) {
    writing_ = false;
    if (closing_) shut();
    return;
  }
  writing_ = true;
  // Every frame queued so far goes in one gathered write (bounded), so a
  // burst of answers or messages costs one system call, not one each, and
  // each payload goes from where it lies. The deque keeps its strings in
  // place while more are queued behind them.
  const size_t frames = std::min(write_queue_.size(), kGatherFramesMax);
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(2 * frames);
  for (size_t i = 0; i < frames; ++i) {
    buffers.push_back(asio::buffer(write_queue_[i].head));
    if (!write_queue_[i].payload.empty()) buffers.push_back(asio::buffer(write_queue_[i].payload));
  }
  asio::async_write(socket_, buffers,
                    [self = shared_from_this(), frames](const asio::error_code& error, size_t) {
                      if (self->closed_) return;
                      if (error) {
                        self->shut();
                        return;
                      }
                      for (size_t i = 0; i < frames; ++i) {
                        self->queued_bytes_ -= self->write_queue_.front().size();
                        self->write_queue_.pop_front();
                      }
                      self->write_next();
                      if (!self->closed_) self->on_written();
                    });
}

void FramedSocket::close(bool now) {
  if (closed_) return;
  closing_ = true;
  if (now || !writing_) shut();
}

void FramedSocket::shut() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  write_queue_.clear();
  queued_bytes_ = 0;
  on_closed();
}

}  // namespace quokka::server
