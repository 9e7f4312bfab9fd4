#pragma once

#include <cstddef>
#include <cstdint>

// The byte layout of a frame, shared by the encoder and the decoder.
// docs/protocol.md "Frames" is the reference for other implementations.
//
//   offset  size  field
//   0       4     frame_length: bytes that follow this field, unsigned
//                 big-endian; = 2 + size of the envelope
//   4       2     protocol_version: unsigned big-endian
//   6       n     a serialized quokka.proto.Envelope (n = frame_length - 2)
//
// The version sits outside the protobuf so that a receiver can refuse a
// version it does not speak before it parses anything. The length comes
// first so that a receiver can refuse an oversize frame before it buffers
// anything.

namespace quokka::proto {

inline constexpr size_t kFrameLengthFieldBytes = 4;
inline constexpr size_t kFrameVersionFieldBytes = 2;
inline constexpr size_t kFrameHeaderBytes =
    kFrameLengthFieldBytes + kFrameVersionFieldBytes;

// The default largest frame, counted as frame_length counts (version field
// plus envelope): the value limit (16 MiB) plus 64 KiB for the envelope and
// the rest of the message (DESIGN.md "Limits").
inline constexpr uint32_t kValueBytesMaxDefault = 16 * 1024 * 1024;
inline constexpr uint32_t kFrameBytesMaxDefault =
    kValueBytesMaxDefault + 64 * 1024;

// Bounds on a configured frame limit. The smallest frame holds its version
// field; the ceiling keeps every envelope size within protobuf's int-sized
// parse API and far from the 4-byte length field's range.
inline constexpr uint32_t kFrameBytesMaxFloor = kFrameVersionFieldBytes;
inline constexpr uint32_t kFrameBytesMaxCeiling = 1024 * 1024 * 1024;

// Big-endian field access. Bytes are handled as unsigned so that values
// with the top bit set do not sign-extend.
inline uint32_t read_u32_big_endian(const unsigned char* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) |
         (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]};
}

inline uint16_t read_u16_big_endian(const unsigned char* bytes) {
  return static_cast<uint16_t>((uint32_t{bytes[0]} << 8) | uint32_t{bytes[1]});
}

inline void write_u32_big_endian(uint32_t value, unsigned char* bytes) {
  bytes[0] = static_cast<unsigned char>(value >> 24);
  bytes[1] = static_cast<unsigned char>(value >> 16);
  bytes[2] = static_cast<unsigned char>(value >> 8);
  bytes[3] = static_cast<unsigned char>(value);
}

inline void write_u16_big_endian(uint16_t value, unsigned char* bytes) {
  bytes[0] = static_cast<unsigned char>(value >> 8);
  bytes[1] = static_cast<unsigned char>(value);
}

}  // namespace quokka::proto
