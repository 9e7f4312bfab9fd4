#include "proto/frame_decoder.h"

#include <fmt/format.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <deque>
#include <utility>

#include "common/assert.h"

namespace quokka::proto {
namespace {

// The first chunk for a body that arrives in pieces; small frames then
// need one allocation, and larger ones add chunks that double the room.
constexpr size_t kBodyBufferInitialBytes = 4 * 1024;

// After a frame, the first chunk is kept for the next one when it is no
// larger than this, so that an idle connection that once received a large
// frame does not keep its memory.
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
  return header_filled_ + body_size_;
}

size_t FrameDecoder::buffer_capacity() const {
  return header_.size() + body_capacity_;
}

std::span<char> FrameDecoder::direct_read_space(size_t min_remaining) {
  if (failed() || header_filled_ < kFrameHeaderBytes) return {};
  if (body_bytes_expected_ - body_size_ < min_remaining) return {};
  return body_room();
}

Status FrameDecoder::commit_direct_read(size_t bytes, std::vector<Envelope>& frames) {
  if (failed()) return error_;
  QUOKKA_ASSERT(header_filled_ == kFrameHeaderBytes && !body_chunks_.empty() &&
                    bytes <= body_chunks_.back().capacity - body_chunks_.back().size &&
                    body_size_ + bytes <= body_bytes_expected_,
                "{} bytes committed past the room direct_read_space() gave", bytes);
  body_filled(bytes);
  stream_offset_ += bytes;
  if (body_size_ < body_bytes_expected_) return Status::ok();
  Status status = decode_buffered_body(frames);
  if (!status.is_ok()) return fail(std::move(status));
  start_next_frame();
  return Status::ok();
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

    Status status;
    if (body_size_ == 0 && bytes.size() >= body_bytes_expected_) {
      // The whole body is in this piece: parse it where it lies.
      const std::string_view body = bytes.substr(0, body_bytes_expected_);
      bytes.remove_prefix(body.size());
      stream_offset_ += body.size();
      status = decode_body(body, frames);
    } else {
      const size_t take =
          std::min<size_t>(body_bytes_expected_ - body_size_, bytes.size());
      buffer_body_bytes(bytes.substr(0, take));
      bytes.remove_prefix(take);
      stream_offset_ += take;
      if (body_size_ < body_bytes_expected_) break;
      status = decode_buffered_body(frames);
    }
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
                  kFrameHeaderBytes + body_size_,
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
  return check_envelope(std::move(envelope), body.size(), frames);
}

Status FrameDecoder::decode_buffered_body(std::vector<Envelope>& frames) {
  QUOKKA_ASSERT(body_size_ == body_bytes_expected_,
                "buffered body of {} bytes for a frame announcing {}", body_size_,
                body_bytes_expected_);
  if (body_chunks_.size() == 1) {
    return decode_body(std::string_view(body_chunks_[0].bytes.get(), body_size_), frames);
  }
  // Parsed across the chunks where they lie: joining them first would copy
  // the body once more.
  // A deque: the streams neither copy nor move, and must stay in place.
  std::deque<google::protobuf::io::ArrayInputStream> pieces;
  for (const BodyChunk& chunk : body_chunks_) {
    pieces.emplace_back(chunk.bytes.get(), static_cast<int>(chunk.size));
  }
  std::vector<google::protobuf::io::ZeroCopyInputStream*> streams;
  streams.reserve(pieces.size());
  for (auto& piece : pieces) streams.push_back(&piece);
  google::protobuf::io::ConcatenatingInputStream joined(streams.data(),
                                                        static_cast<int>(streams.size()));
  Envelope envelope;
  if (!envelope.ParseFromZeroCopyStream(&joined)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("frame body of {} bytes does not parse as an "
                              "Envelope ({})",
                              body_size_, frame_position()));
  }
  return check_envelope(std::move(envelope), body_size_, frames);
}

Status FrameDecoder::check_envelope(Envelope envelope, size_t body_bytes,
                                    std::vector<Envelope>& frames) {
  QUOKKA_ASSERT(body_bytes == body_bytes_expected_, "body of {} bytes for a frame announcing {}",
                body_bytes, body_bytes_expected_);
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
  QUOKKA_ASSERT(body_size_ + bytes.size() <= body_bytes_expected_,
                "buffering {} body bytes for a frame announcing {}",
                body_size_ + bytes.size(), body_bytes_expected_);
  while (!bytes.empty()) {
    const std::span<char> room = body_room();
    const size_t take = std::min(room.size(), bytes.size());
    std::copy_n(bytes.data(), take, room.data());
    body_filled(take);
    bytes.remove_prefix(take);
  }
}

std::span<char> FrameDecoder::body_room() {
  QUOKKA_ASSERT(body_size_ < body_bytes_expected_, "no room needed: {} of {} body bytes are in",
                body_size_, body_bytes_expected_);
  if (body_chunks_.empty() || body_chunks_.back().size == body_chunks_.back().capacity) {
    // Memory follows what the peer has actually sent, up to the frame
    // limit: the new chunk doubles the room, and the room never passes the
    // announced size. A chunk is never moved once written, so a large body
    // costs no copies as it grows.
    const size_t capacity = std::min<size_t>(std::max(body_capacity_, kBodyBufferInitialBytes),
                                             body_bytes_expected_ - body_capacity_);
    body_chunks_.push_back(BodyChunk{std::make_unique_for_overwrite<char[]>(capacity), 0, capacity});
    body_capacity_ += capacity;
  }
  BodyChunk& last = body_chunks_.back();
  const size_t room = std::min(last.capacity - last.size, body_bytes_expected_ - body_size_);
  return {last.bytes.get() + last.size, room};
}

void FrameDecoder::body_filled(size_t bytes) {
  body_chunks_.back().size += bytes;
  body_size_ += bytes;
}

void FrameDecoder::start_next_frame() {
  ++frames_decoded_;
  header_filled_ = 0;
  body_bytes_expected_ = 0;
  frame_version_ = 0;
  body_size_ = 0;
  if (!body_chunks_.empty() && body_chunks_.front().capacity <= kBodyBufferRetainedBytesMax) {
    body_chunks_.resize(1);
    body_chunks_.front().size = 0;
    body_capacity_ = body_chunks_.front().capacity;
  } else {
    body_chunks_.clear();
    body_capacity_ = 0;
  }
}

Status FrameDecoder::fail(Status error) {
  QUOKKA_ASSERT(!error.is_ok(), "fail() needs an error");
  error_ = std::move(error);
  // The connection is done; its partial frame is of no further use.
  std::vector<BodyChunk>().swap(body_chunks_);
  body_size_ = 0;
  body_capacity_ = 0;
  return error_;
}

std::string FrameDecoder::frame_position() const {
  return fmt::format("frame {} at stream byte {}", frames_decoded_ + 1,
                     frame_start_offset_);
}

}  // namespace quokka::proto
