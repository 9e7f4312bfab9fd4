#include "proto/frame_decoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "common/assert.h"

namespace quokka::proto {
namespace {

// The first reservation for a body that arrives in pieces; small frames
// then need one allocation, and larger ones grow by doubling from here.
constexpr size_t kBodyBufferInitialBytes = 4 * 1024;

// After a frame, a body buffer larger than this is released, so that an
// idle connection that once received a large frame does not keep its
// memory.
constexpr size_t kBodyBufferRetainedBytesMax = 64 * 1024;

void check_options(const FrameDecoderOptions& options) {
  QUOKKA_ASSERT(options.max_frame_bytes >= kFrameBytesMaxFloor,
                "frame limit {} is below the floor {}", options.max_frame_bytes,
                kFrameBytesMaxFloor);
  QUOKKA_ASSERT(options.max_frame_bytes <= kFrameBytesMaxCeiling,
                "frame limit {} is above the ceiling {}",
                options.max_frame_bytes, kFrameBytesMaxCeiling);
  QUOKKA_ASSERT(!options.accepted_versions.is_empty(),
                "accepted protocol versions {}..{} are an empty range",
                options.accepted_versions.min, options.accepted_versions.max);
  QUOKKA_ASSERT(options.accepted_versions.min >= 1,
                "protocol version 0 is never valid");
}

}  // namespace

FrameDecoder::FrameDecoder(FrameDecoderOptions options) : options_(options) {
  check_options(options_);
}

void FrameDecoder::set_accepted_versions(ProtocolVersionRange versions) {
  options_.accepted_versions = versions;
  check_options(options_);
}

size_t FrameDecoder::buffered_bytes() const {
  return header_filled_ + body_.size();
}

size_t FrameDecoder::buffer_capacity() const {
  return header_.size() + body_.capacity();
}

Status FrameDecoder::feed(std::string_view bytes,
                          std::vector<Envelope>& frames) {
  if (failed()) return error_;
  while (true) {
    if (header_filled_ < kFrameHeaderBytes) {
      if (bytes.empty()) break;
      Status status = consume_header(bytes);
      if (!status.is_ok()) return fail(std::move(status));
      if (header_filled_ < kFrameHeaderBytes) break;
    }

    std::string_view body;
    if (body_.empty() && bytes.size() >= body_bytes_expected_) {
      // The whole body is in this piece: parse it where it lies.
      body = bytes.substr(0, body_bytes_expected_);
      bytes.remove_prefix(body.size());
      stream_offset_ += body.size();
    } else {
      const size_t take =
          std::min<size_t>(body_bytes_expected_ - body_.size(), bytes.size());
      buffer_body_bytes(bytes.substr(0, take));
      bytes.remove_prefix(take);
      stream_offset_ += take;
      if (body_.size() < body_bytes_expected_) break;
      body = std::string_view(body_.data(), body_.size());
    }

    Status status = decode_body(body, frames);
    if (!status.is_ok()) return fail(std::move(status));
    start_next_frame();
  }
  QUOKKA_ASSERT(bytes.empty(), "feed() left {} bytes unconsumed",
                bytes.size());
  return Status::ok();
}

Status FrameDecoder::finish() {
  if (failed()) return error_;
  if (header_filled_ == 0) return Status::ok();
  if (header_filled_ < kFrameHeaderBytes) {
    return fail(Status(
        ErrorCode::kInvalidArgument,
        fmt::format("truncated frame: the stream ended after {} of the "
                    "{}-byte frame header ({})",
                    header_filled_, kFrameHeaderBytes, frame_position())));
  }
  return fail(Status(
      ErrorCode::kInvalidArgument,
      fmt::format("truncated frame: the stream ended after {} of the frame's "
                  "{} bytes ({})",
                  kFrameHeaderBytes + body_.size(),
                  kFrameHeaderBytes + body_bytes_expected_, frame_position())));
}

Status FrameDecoder::consume_header(std::string_view& bytes) {
  while (header_filled_ < kFrameHeaderBytes && !bytes.empty()) {
    if (header_filled_ == 0) frame_start_offset_ = stream_offset_;
    header_[header_filled_] = static_cast<unsigned char>(bytes.front());
    ++header_filled_;
    bytes.remove_prefix(1);
    ++stream_offset_;

    // Each field is checked the moment its last byte arrives: the length
    // before any body byte is buffered, the version before any is parsed.
    if (header_filled_ == kFrameLengthFieldBytes) {
      const uint32_t frame_length = read_u32_big_endian(header_.data());
      Status status = check_frame_length(frame_length);
      if (!status.is_ok()) return status;
      body_bytes_expected_ = frame_length - kFrameVersionFieldBytes;
    } else if (header_filled_ == kFrameHeaderBytes) {
      const ProtocolVersion version =
          read_u16_big_endian(header_.data() + kFrameLengthFieldBytes);
      Status status = check_frame_version(version);
      if (!status.is_ok()) return status;
      frame_version_ = version;
    }
  }
  return Status::ok();
}

Status FrameDecoder::check_frame_length(uint32_t frame_length) const {
  if (frame_length == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("zero-length frame: a frame holds at least its "
                              "{}-byte protocol version ({})",
                              kFrameVersionFieldBytes, frame_position()));
  }
  if (frame_length < kFrameVersionFieldBytes) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("frame of {} bytes is too short to hold its "
                              "{}-byte protocol version ({})",
                              frame_length, kFrameVersionFieldBytes,
                              frame_position()));
  }
  if (frame_length > options_.max_frame_bytes) {
    return Status(ErrorCode::kTooLarge,
                  fmt::format("frame of {} bytes exceeds the limit of {} "
                              "bytes ({})",
                              frame_length, options_.max_frame_bytes,
                              frame_position()));
  }
  return Status::ok();
}

Status FrameDecoder::check_frame_version(ProtocolVersion version) const {
  if (options_.accepted_versions.contains(version)) return Status::ok();
  return Status(
      ErrorCode::kUnsupportedVersion,
      fmt::format("peer sent protocol version {}, but this node supports "
                  "versions {} to {} ({})",
                  version, options_.accepted_versions.min,
                  options_.accepted_versions.max, frame_position()));
}

Status FrameDecoder::decode_body(std::string_view body,
                                 std::vector<Envelope>& frames) {
  QUOKKA_ASSERT(body.size() == body_bytes_expected_,
                "body of {} bytes for a frame announcing {}", body.size(),
                body_bytes_expected_);
  Envelope envelope;
  if (!envelope.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("frame body of {} bytes does not parse as an "
                              "Envelope ({})",
                              body.size(), frame_position()));
  }
  if (envelope.protocol_version() != frame_version_) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("envelope says protocol version {}, but its "
                              "frame header says {} ({})",
                              envelope.protocol_version(), frame_version_,
                              frame_position()));
  }
  if (envelope.kind() == MESSAGE_KIND_UNSPECIFIED) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("envelope has no message kind ({})",
                              frame_position()));
  }
  frames.push_back(std::move(envelope));
  return Status::ok();
}

void FrameDecoder::buffer_body_bytes(std::string_view bytes) {
  const size_t needed = body_.size() + bytes.size();
  QUOKKA_ASSERT(needed <= body_bytes_expected_,
                "buffering {} body bytes for a frame announcing {}", needed,
                body_bytes_expected_);
  if (needed > body_.capacity()) {
    // Grow geometrically so that a body arriving in many small pieces is
    // not copied many times, but never past the announced size: memory
    // follows what the peer has actually sent, up to the frame limit.
    const size_t grown =
        std::max({needed, 2 * body_.capacity(), kBodyBufferInitialBytes});
    body_.reserve(std::min<size_t>(grown, body_bytes_expected_));
  }
  body_.insert(body_.end(), bytes.begin(), bytes.end());
}

void FrameDecoder::start_next_frame() {
  ++frames_decoded_;
  header_filled_ = 0;
  body_bytes_expected_ = 0;
  frame_version_ = 0;
  body_.clear();
  if (body_.capacity() > kBodyBufferRetainedBytesMax) {
    std::vector<char>().swap(body_);
  }
}

Status FrameDecoder::fail(Status error) {
  QUOKKA_ASSERT(!error.is_ok(), "fail() needs an error");
  error_ = std::move(error);
  // The connection is done; its partial frame is of no further use.
  std::vector<char>().swap(body_);
  return error_;
}

std::string FrameDecoder::frame_position() const {
  return fmt::format("frame {} at stream byte {}", frames_decoded_ + 1,
                     frame_start_offset_);
}

}  // namespace quokka::proto
