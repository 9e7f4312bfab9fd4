#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "proto/envelope.pb.h"
#include "proto/frame_format.h"
#include "proto/protocol_version.h"

namespace quokka::proto {

struct FrameDecoderOptions {
  // The largest frame accepted, counted as frame_length counts (version
  // field + envelope). Must lie in [kFrameBytesMaxFloor,
  // kFrameBytesMaxCeiling]; configuration validates it before it gets here.
  uint32_t max_frame_bytes = kFrameBytesMaxDefault;
  // Frames of other versions are refused before their envelope is parsed.
  // Before the handshake: every version this build speaks; after it: only
  // the chosen one.
  ProtocolVersionRange accepted_versions = kSupportedProtocolVersions;
};

// Turns the byte stream of one connection into envelopes, incrementally:
// feed() takes bytes as they arrive, in pieces of any size, and yields each
// frame as soon as its last byte is in.
//
// Memory: the decoder checks each frame's length against max_frame_bytes
// BEFORE it buffers any of the frame's body, and grows its buffer only as
// body bytes arrive, so it never holds more than kFrameHeaderBytes +
// max_frame_bytes, and a peer that announces a large frame and stalls costs
// only what it has sent. A frame that arrives whole inside one feed() is
// parsed in place, without a copy; a body that arrives in pieces is kept in
// chunks that double the room each time (never moved once written), and a
// reader may receive a large body straight into them (direct_read_space()).
//
// Errors are final: the first malformed frame puts the decoder in a failed
// state that every later call reports, because after a framing error the
// stream has no trustworthy frame boundary left; the caller closes the
// connection. Each error names what was wrong, the limit and the actual
// value, and the frame's position in the stream:
//   TOO_LARGE            frame_length above max_frame_bytes;
//   UNSUPPORTED_VERSION  the frame's version is outside accepted_versions
//                        (the message names both);
//   INVALID_ARGUMENT     frame_length too small to hold the version field
//                        (including zero), a body that does not parse as
//                        an Envelope, an envelope whose protocol_version
//                        differs from the frame's, an envelope without a
//                        kind, or (from finish()) a stream that ends inside
//                        a frame.
class FrameDecoder {
 public:
  explicit FrameDecoder(FrameDecoderOptions options = {});

  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;

  // Consumes `bytes` (raw stream bytes, any length, including empty) and
  // appends every frame they complete to `frames`, in stream order. On an
  // error, the frames completed before the bad one are still appended, and
  // the error is returned; nothing after it is decoded.
  Status feed(std::string_view bytes, std::vector<Envelope>& frames);

  // Room to read the stream's next bytes into without feed()'s copy:
  // non-empty only while a frame's body of at least `min_remaining` bytes
  // is still to come, and never reaching past that body. The caller reads
  // into it and hands the count to commit_direct_read(), calling nothing
  // else in between.
  std::span<char> direct_read_space(size_t min_remaining);
  // Takes `bytes` just read into direct_read_space(); appends the frame
  // they complete, if they do, and reports errors as feed() does.
  Status commit_direct_read(size_t bytes, std::vector<Envelope>& frames);

  // Declares the end of the stream (the peer closed the connection). OK
  // when the stream ended on a frame boundary; INVALID_ARGUMENT naming how
  // much of the last frame arrived when it was cut short.
  Status finish();

  // Narrows (or changes) the versions accepted from the next frame on;
  // used after the handshake has chosen a version.
  void set_accepted_versions(ProtocolVersionRange versions);

  bool failed() const { return !error_.is_ok(); }
  // The error that ended decoding; OK while the decoder has not failed.
  const Status& error() const { return error_; }

  // Bytes of the unfinished frame held right now (header and body), and
  // the memory reserved for them; both are at most
  // kFrameHeaderBytes + max_frame_bytes.
  size_t buffered_bytes() const;
  size_t buffer_capacity() const;

  // Frames decoded and stream bytes consumed so far.
  uint64_t frames_decoded() const { return frames_decoded_; }
  uint64_t stream_offset() const { return stream_offset_; }

 private:
  // Consumes header bytes from `bytes`; validates each field as soon as it
  // is complete. Returns the bytes not consumed.
  Status consume_header(std::string_view& bytes);
  Status check_frame_length(uint32_t frame_length) const;
  Status check_frame_version(ProtocolVersion version) const;
  // Parses and validates one complete envelope body: one in place, or the
  // buffered one in its chunks.
  Status decode_body(std::string_view body, std::vector<Envelope>& frames);
  Status decode_buffered_body(std::vector<Envelope>& frames);
  Status check_envelope(Envelope envelope, size_t body_bytes, std::vector<Envelope>& frames);
  // Appends to the buffered body, copying into body_room().
  void buffer_body_bytes(std::string_view bytes);
  // Free room at the end of the buffered body, at most the bytes the body
  // still lacks; adds a chunk when the last one is full. Each new chunk is
  // as large as all before it together (at least kBodyBufferInitialBytes),
  // so the room stays within twice what has arrived, and never past the
  // announced body size.
  std::span<char> body_room();
  void body_filled(size_t bytes);
  void start_next_frame();
  Status fail(Status error);

  // "frame 3 (stream byte 1024)": where the current frame starts.
  std::string frame_position() const;

  FrameDecoderOptions options_;

  // The header of the frame in progress; header_filled_ bytes are valid.
  std::array<unsigned char, kFrameHeaderBytes> header_{};
  size_t header_filled_ = 0;
  // Valid once the header is complete. Invariant: body_size_ <=
  // body_bytes_expected_ <= options_.max_frame_bytes.
  uint32_t body_bytes_expected_ = 0;
  ProtocolVersion frame_version_ = 0;
  // The body of the frame in progress, when it arrives in pieces: chunks
  // filled in order, only the last one partly.
  struct BodyChunk {
    std::unique_ptr<char[]> bytes;
    size_t size = 0;
    size_t capacity = 0;
  };
  std::vector<BodyChunk> body_chunks_;
  size_t body_size_ = 0;
  size_t body_capacity_ = 0;

  uint64_t frames_decoded_ = 0;
  uint64_t stream_offset_ = 0;
  uint64_t frame_start_offset_ = 0;
  Status error_;
};

}  // namespace quokka::proto
