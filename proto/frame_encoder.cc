#include "proto/frame_encoder.h"

#include <fmt/format.h>

#include <limits>

#include "common/assert.h"
#include "proto/length_delimited_key.h"

namespace quokka::proto {
namespace {

// The kind's protocol name, or its number when this build does not know it.
std::string message_kind_label(MessageKind kind) {
  const std::string& name = MessageKind_Name(kind);
  if (!name.empty()) return name;
  return fmt::format("{}", static_cast<int>(kind));
}

// The payload's field number in envelope.proto. The split-frame test
// compares the two encodings byte for byte, so a renumbered field shows.
constexpr uint32_t kPayloadFieldNumber = 5;

// The checks both encodings make, in order; the frame's size (as
// frame_length counts it) when they pass.
Result<size_t> checked_frame_bytes(const Envelope& envelope, uint32_t max_frame_bytes) {
  QUOKKA_ASSERT(max_frame_bytes >= kFrameBytesMaxFloor,
                "frame limit {} is below the floor {}", max_frame_bytes,
                kFrameBytesMaxFloor);
  QUOKKA_ASSERT(max_frame_bytes <= kFrameBytesMaxCeiling,
                "frame limit {} is above the ceiling {}", max_frame_bytes,
                kFrameBytesMaxCeiling);

  const uint32_t version = envelope.protocol_version();
  if (version == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "envelope has no protocol version (0 is never valid)");
  }
  if (version > std::numeric_limits<ProtocolVersion>::max()) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("envelope protocol version {} does not fit the "
                              "frame's 2-byte version field",
                              version));
  }
  if (envelope.kind() == MESSAGE_KIND_UNSPECIFIED) {
    return Status(ErrorCode::kInvalidArgument, "envelope has no message kind");
  }

  // Size first, so that an oversize envelope is refused before anything is
  // serialized or allocated for it.
  const size_t frame_bytes = kFrameVersionFieldBytes + envelope.ByteSizeLong();
  if (frame_bytes > max_frame_bytes) {
    return Status(
        ErrorCode::kTooLarge,
        fmt::format("envelope of kind {} encodes to a frame of {} bytes, "
                    "which exceeds the limit of {} bytes",
                    message_kind_label(envelope.kind()), frame_bytes,
                    max_frame_bytes));
  }
  return frame_bytes;
}

}  // namespace

Status append_frame(const Envelope& envelope, uint32_t max_frame_bytes,
                    std::string& out) {
  Result<size_t> frame_bytes = checked_frame_bytes(envelope, max_frame_bytes);
  if (!frame_bytes.is_ok()) return frame_bytes.status();
  const size_t envelope_bytes = *frame_bytes - kFrameVersionFieldBytes;
  const size_t start = out.size();
  out.resize(start + kFrameLengthFieldBytes + *frame_bytes);
  auto* header = reinterpret_cast<unsigned char*>(out.data() + start);
  write_u32_big_endian(static_cast<uint32_t>(*frame_bytes), header);
  write_u16_big_endian(static_cast<ProtocolVersion>(envelope.protocol_version()),
                       header + kFrameLengthFieldBytes);
  const bool serialized = envelope.SerializeToArray(
      out.data() + start + kFrameHeaderBytes, static_cast<int>(envelope_bytes));
  // Serializing a message into a buffer of its own ByteSizeLong() fails only
  // if the message changed in between, which no caller may do.
  QUOKKA_ASSERT(serialized, "envelope of {} bytes did not serialize",
                envelope_bytes);
  return Status::ok();
}

Result<SplitFrame> split_frame(Envelope& envelope, uint32_t max_frame_bytes) {
  Result<size_t> frame_bytes = checked_frame_bytes(envelope, max_frame_bytes);
  if (!frame_bytes.is_ok()) return frame_bytes.status();
  SplitFrame frame;
  frame.payload = std::move(*envelope.mutable_payload());
  envelope.clear_payload();
  // Serialization writes fields in number order and the payload has the
  // highest number, so the envelope without it, then the payload's key and
  // length, are exactly the bytes that come before the payload's own.
  const size_t rest_bytes = envelope.ByteSizeLong();
  frame.head.resize(kFrameHeaderBytes + rest_bytes);
  auto* header = reinterpret_cast<unsigned char*>(frame.head.data());
  write_u32_big_endian(static_cast<uint32_t>(*frame_bytes), header);
  write_u16_big_endian(static_cast<ProtocolVersion>(envelope.protocol_version()),
                       header + kFrameLengthFieldBytes);
  const bool serialized = envelope.SerializeToArray(frame.head.data() + kFrameHeaderBytes,
                                                    static_cast<int>(rest_bytes));
  QUOKKA_ASSERT(serialized, "envelope of {} bytes did not serialize", rest_bytes);
  if (!frame.payload.empty()) {
    append_length_delimited_key(kPayloadFieldNumber, frame.payload.size(), frame.head);
  }
  QUOKKA_ASSERT(frame.size() == kFrameLengthFieldBytes + *frame_bytes,
                "split frame of {} bytes for a frame of {}", frame.size(),
                kFrameLengthFieldBytes + *frame_bytes);
  return frame;
}

Result<std::string> encode_frame(const Envelope& envelope,
                                 uint32_t max_frame_bytes) {
  std::string frame;
  Status status = append_frame(envelope, max_frame_bytes, frame);
  if (!status.is_ok()) return status;
  return frame;
}

}  // namespace quokka::proto
