#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <algorithm>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "proto/envelope.pb.h"
#include "proto/frame_decoder.h"
#include "proto/frame_encoder.h"
#include "proto/frame_format.h"
#include "proto/protocol_version.h"

namespace quokka::proto {
namespace {

using ::testing::HasSubstr;

Envelope make_envelope(uint64_t request_id, std::string payload) {
  Envelope envelope;
  envelope.set_protocol_version(kProtocolVersionMax);
  envelope.set_lamport_time(1000 + request_id);
  envelope.set_request_id(request_id);
  envelope.set_kind(MESSAGE_KIND_PUT_REQUEST);
  envelope.set_payload(std::move(payload));
  return envelope;
}

std::string encode(const Envelope& envelope,
                   uint32_t max_frame_bytes = kFrameBytesMaxDefault) {
  Result<std::string> frame = encode_frame(envelope, max_frame_bytes);
  EXPECT_TRUE(frame.is_ok()) << frame.status().to_string();
  return frame.is_ok() ? *frame : std::string();
}

// A frame header with arbitrary fields, for inputs the encoder refuses to
// make.
std::string raw_header(uint32_t frame_length, uint16_t version) {
  std::string header(kFrameHeaderBytes, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(header.data());
  write_u32_big_endian(frame_length, bytes);
  write_u16_big_endian(version, bytes + kFrameLengthFieldBytes);
  return header;
}

std::string raw_frame(uint16_t version, const std::string& body) {
  return raw_header(static_cast<uint32_t>(kFrameVersionFieldBytes + body.size()),
                    version) +
         body;
}

std::vector<std::string> serialized(const std::vector<Envelope>& frames) {
  std::vector<std::string> out;
  for (const Envelope& frame : frames) out.push_back(frame.SerializeAsString());
  return out;
}

TEST(FrameDecoderTest, RoundTripsOneFrame) {
  const Envelope sent = make_envelope(1, "hello");
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  ASSERT_TRUE(decoder.feed(encode(sent), frames).is_ok());
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].SerializeAsString(), sent.SerializeAsString());
  EXPECT_EQ(frames[0].payload(), "hello");
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
  EXPECT_TRUE(decoder.finish().is_ok());
}

TEST(FrameDecoderTest, YieldsEachFrameExactlyWhenItsLastByteArrives) {
  const std::vector<Envelope> sent = {make_envelope(1, "a"),
                                      make_envelope(2, ""),
                                      make_envelope(3, std::string(300, 'z'))};
  std::string stream;
  std::vector<size_t> frame_ends;
  for (const Envelope& envelope : sent) {
    stream += encode(envelope);
    frame_ends.push_back(stream.size());
  }

  FrameDecoder decoder;
  std::vector<Envelope> frames;
  size_t next_end = 0;
  for (size_t i = 0; i < stream.size(); ++i) {
    ASSERT_TRUE(decoder.feed(stream.substr(i, 1), frames).is_ok())
        << "byte " << i;
    if (i + 1 == frame_ends[next_end]) ++next_end;
    ASSERT_EQ(frames.size(), next_end) << "after byte " << i;
  }
  EXPECT_EQ(serialized(frames), serialized(sent));
  EXPECT_EQ(decoder.frames_decoded(), 3u);
  EXPECT_EQ(decoder.stream_offset(), stream.size());
  EXPECT_TRUE(decoder.finish().is_ok());
}

TEST(FrameDecoderTest, DecodesManyFramesFromOneChunk) {
  std::vector<Envelope> sent;
  std::string stream;
  for (uint64_t i = 0; i < 1000; ++i) {
    sent.push_back(make_envelope(i + 1, std::string(i % 50, 'p')));
    stream += encode(sent.back());
  }
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  ASSERT_TRUE(decoder.feed(stream, frames).is_ok());
  EXPECT_EQ(serialized(frames), serialized(sent));
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
}

TEST(FrameDecoderTest, ArbitrarySplitsGiveTheSameFrames) {
  std::vector<Envelope> sent;
  std::string stream;
  for (uint64_t i = 0; i < 200; ++i) {
    sent.push_back(make_envelope(i + 1, std::string((i * 37) % 5000, 'q')));
    stream += encode(sent.back());
  }
  constexpr uint64_t kSeed = 20240611;
  std::mt19937_64 random(kSeed);
  for (int round = 0; round < 20; ++round) {
    FrameDecoder decoder;
    std::vector<Envelope> frames;
    size_t position = 0;
    while (position < stream.size()) {
      const size_t piece = std::uniform_int_distribution<size_t>(0, 9000)(random);
      ASSERT_TRUE(decoder.feed(std::string_view(stream).substr(position, piece),
                               frames)
                      .is_ok())
          << "seed " << kSeed << " round " << round;
      position += piece;
    }
    ASSERT_EQ(serialized(frames), serialized(sent))
        << "seed " << kSeed << " round " << round;
  }
}

TEST(FrameDecoderTest, RefusesAZeroLengthFrame) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  Status status = decoder.feed(std::string(4, '\0'), frames);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "zero-length frame: a frame holds at least its 2-byte protocol "
            "version (frame 1 at stream byte 0)");
}

TEST(FrameDecoderTest, RefusesAFrameTooShortForItsVersionField) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  Status status = decoder.feed(std::string("\0\0\0\1", 4), frames);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("frame of 1 bytes is too short"));
}

TEST(FrameDecoderTest, RefusesAnOversizePrefixAsSoonAsTheLengthIsIn) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  // 20 MiB announced against the default 16 MiB + 64 KiB limit; only the
  // four length bytes have arrived.
  Status status =
      decoder.feed(raw_header(20 * 1024 * 1024, 1).substr(0, 4), frames);
  EXPECT_EQ(status.code(), ErrorCode::kTooLarge);
  EXPECT_EQ(status.message(),
            "frame of 20971520 bytes exceeds the limit of 16842752 bytes "
            "(frame 1 at stream byte 0)");
}

TEST(FrameDecoderTest, AcceptsAFrameExactlyAtTheLimitAndRefusesOneByteMore) {
  const Envelope envelope = make_envelope(1, std::string(500, 'l'));
  const std::string frame = encode(envelope);
  const uint32_t frame_bytes =
      static_cast<uint32_t>(frame.size() - kFrameLengthFieldBytes);

  FrameDecoder at_limit(FrameDecoderOptions{.max_frame_bytes = frame_bytes});
  std::vector<Envelope> frames;
  EXPECT_TRUE(at_limit.feed(frame, frames).is_ok());
  EXPECT_EQ(frames.size(), 1u);

  FrameDecoder below(FrameDecoderOptions{.max_frame_bytes = frame_bytes - 1});
  Status status = below.feed(frame, frames);
  EXPECT_EQ(status.code(), ErrorCode::kTooLarge);
  EXPECT_THAT(status.message(),
              HasSubstr("frame of " + std::to_string(frame_bytes) +
                        " bytes exceeds the limit of " +
                        std::to_string(frame_bytes - 1) + " bytes"));
}

// The property the limit exists for: a peer that announces a huge frame and
// keeps sending cannot make the decoder hold more than the limit.
TEST(FrameDecoderTest, DoesNotBufferPastAnOversizePrefix) {
  constexpr uint32_t kLimit = 64 * 1024;
  FrameDecoder decoder(FrameDecoderOptions{.max_frame_bytes = kLimit});
  std::vector<Envelope> frames;
  EXPECT_EQ(decoder.feed(raw_header(0xFFFFFFFF, 1), frames).code(),
            ErrorCode::kTooLarge);
  const std::string flood(1024 * 1024, 'f');
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(decoder.feed(flood, frames).code(), ErrorCode::kTooLarge);
  }
  EXPECT_TRUE(frames.empty());
  EXPECT_LE(decoder.buffered_bytes(), kFrameLengthFieldBytes);
  EXPECT_LE(decoder.buffer_capacity(), kFrameHeaderBytes);
}

TEST(FrameDecoderTest, MemoryFollowsBytesReceivedNotBytesAnnounced) {
  constexpr uint32_t kLimit = 1024 * 1024;
  FrameDecoder decoder(FrameDecoderOptions{.max_frame_bytes = kLimit});
  std::vector<Envelope> frames;
  // A legal frame at the limit, of which only 100 body bytes arrive.
  ASSERT_TRUE(decoder.feed(raw_header(kLimit, 1) + std::string(100, 'b'), frames)
                  .is_ok());
  EXPECT_EQ(decoder.buffered_bytes(), kFrameHeaderBytes + 100);
  EXPECT_LE(decoder.buffer_capacity(), kFrameHeaderBytes + 4 * 1024);

  // The rest arrives in pieces; the buffer never passes limit + header.
  const std::string piece(7777, 'b');
  size_t body_bytes = 100;
  const size_t body_total = kLimit - kFrameVersionFieldBytes;
  while (body_bytes + piece.size() < body_total) {
    ASSERT_TRUE(decoder.feed(piece, frames).is_ok());
    body_bytes += piece.size();
    ASSERT_EQ(decoder.buffered_bytes(), kFrameHeaderBytes + body_bytes);
    ASSERT_LE(decoder.buffer_capacity(), kFrameHeaderBytes + kLimit);
  }
  EXPECT_TRUE(frames.empty());
}

TEST(FrameDecoderTest, ReleasesALargeBufferAfterItsFrame) {
  const Envelope big = make_envelope(1, std::string(512 * 1024, 'B'));
  const std::string frame = encode(big);
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  for (size_t i = 0; i < frame.size(); i += 1000) {
    ASSERT_TRUE(decoder.feed(std::string_view(frame).substr(i, 1000), frames)
                    .is_ok());
  }
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload().size(), 512u * 1024);
  EXPECT_LE(decoder.buffer_capacity(), kFrameHeaderBytes + 64 * 1024);
}

// Reads `stream` as a socket would: into direct_read_space() while it
// offers room (at most `read_bytes` at a time), else through feed().
Status read_like_a_socket(FrameDecoder& decoder, std::string_view stream, size_t read_bytes,
                          std::vector<Envelope>& frames, size_t& direct_bytes) {
  while (!stream.empty()) {
    const std::span<char> room = decoder.direct_read_space(read_bytes);
    Status status;
    if (!room.empty()) {
      const size_t take = std::min({room.size(), read_bytes, stream.size()});
      std::copy_n(stream.data(), take, room.data());
      status = decoder.commit_direct_read(take, frames);
      stream.remove_prefix(take);
      direct_bytes += take;
    } else {
      const size_t take = std::min(read_bytes, stream.size());
      status = decoder.feed(stream.substr(0, take), frames);
      stream.remove_prefix(take);
    }
    if (!status.is_ok()) return status;
  }
  return Status::ok();
}

TEST(FrameDecoderTest, ReadsLargeBodiesStraightIntoItsBufferAndSmallFramesAround) {
  std::string stream;
  std::vector<Envelope> sent;
  for (size_t payload_bytes : {size_t{10}, size_t{1024 * 1024}, size_t{3}, size_t{300 * 1000},
                               size_t{70 * 1000}, size_t{0}}) {
    std::string payload(payload_bytes, '\0');
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7 + sent.size());
    sent.push_back(make_envelope(sent.size() + 1, std::move(payload)));
    stream += encode(sent.back());
  }
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  size_t direct_bytes = 0;
  ASSERT_TRUE(read_like_a_socket(decoder, stream, 64 * 1024, frames, direct_bytes).is_ok());
  EXPECT_EQ(serialized(frames), serialized(sent));
  EXPECT_EQ(decoder.stream_offset(), stream.size());
  EXPECT_EQ(decoder.buffered_bytes(), 0u);
  // Most of the two large bodies went in directly, none of the small ones.
  EXPECT_GT(direct_bytes, 1024u * 1024);
  EXPECT_LT(direct_bytes, stream.size());
}

TEST(FrameDecoderTest, OffersNoDirectRoomOutsideALargeBody) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  EXPECT_TRUE(decoder.direct_read_space(1).empty()) << "no frame started";
  const std::string frame = encode(make_envelope(1, std::string(100 * 1000, 'p')));
  ASSERT_TRUE(decoder.feed(std::string_view(frame).substr(0, 3), frames).is_ok());
  EXPECT_TRUE(decoder.direct_read_space(1).empty()) << "header incomplete";
  ASSERT_TRUE(decoder.feed(std::string_view(frame).substr(3, 1000), frames).is_ok());
  const size_t remaining = frame.size() - 1003;
  EXPECT_TRUE(decoder.direct_read_space(remaining + 1).empty()) << "less left than asked";
  const std::span<char> room = decoder.direct_read_space(remaining);
  ASSERT_FALSE(room.empty());
  EXPECT_LE(room.size(), remaining);
}

TEST(FrameDecoderTest, ABodyBadAcrossItsChunksIsRefusedLikeAWholeOne) {
  // 20,000 bytes of 0xFF: a field key whose varint never ends.
  const std::string body(20000, '\xff');
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  const std::string frame = raw_frame(kProtocolVersionMax, body);
  Status status;
  for (size_t i = 0; i < frame.size() && status.is_ok(); i += 1000) {
    status = decoder.feed(std::string_view(frame).substr(i, 1000), frames);
  }
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("frame body of 20000 bytes does not parse"));
  EXPECT_EQ(decoder.buffer_capacity(), kFrameHeaderBytes);
}

TEST(FrameDecoderTest, RefusesAnUnsupportedVersionBeforeParsingTheBody) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  // The body is garbage, but the version is refused first, as soon as the
  // header is complete.
  Status status = decoder.feed(raw_header(10, 7), frames);
  EXPECT_EQ(status.code(), ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(status.message(),
            "peer sent protocol version 7, but this node supports versions 1 "
            "to 1 (frame 1 at stream byte 0)");
}

TEST(FrameDecoderTest, RefusesVersionZero) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  Envelope envelope = make_envelope(1, "x");
  envelope.set_protocol_version(0);
  Status status =
      decoder.feed(raw_frame(0, envelope.SerializeAsString()), frames);
  EXPECT_EQ(status.code(), ErrorCode::kUnsupportedVersion);
  EXPECT_THAT(status.message(), HasSubstr("protocol version 0"));
}

TEST(FrameDecoderTest, NarrowedVersionsApplyFromTheNextFrame) {
  FrameDecoder decoder(
      FrameDecoderOptions{.accepted_versions = ProtocolVersionRange{1, 3}});
  Envelope version_two = make_envelope(1, "x");
  version_two.set_protocol_version(2);
  const std::string frame = raw_frame(2, version_two.SerializeAsString());

  std::vector<Envelope> frames;
  ASSERT_TRUE(decoder.feed(frame, frames).is_ok());
  decoder.set_accepted_versions(ProtocolVersionRange{1, 1});
  Status status = decoder.feed(frame, frames);
  EXPECT_EQ(status.code(), ErrorCode::kUnsupportedVersion);
  EXPECT_THAT(status.message(), HasSubstr("supports versions 1 to 1"));
  EXPECT_EQ(frames.size(), 1u);
}

TEST(FrameDecoderTest, RefusesABodyThatIsNotAnEnvelope) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  // Field 0 with wire type 7 is not valid protobuf.
  Status status = decoder.feed(raw_frame(1, "\x07garbage"), frames);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "frame body of 8 bytes does not parse as an Envelope (frame 1 at "
            "stream byte 0)");
}

TEST(FrameDecoderTest, RefusesAnEnvelopeWhoseVersionDisagreesWithItsFrame) {
  FrameDecoder decoder(
      FrameDecoderOptions{.accepted_versions = ProtocolVersionRange{1, 2}});
  std::vector<Envelope> frames;
  Envelope envelope = make_envelope(1, "x");
  envelope.set_protocol_version(2);
  Status status =
      decoder.feed(raw_frame(1, envelope.SerializeAsString()), frames);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("envelope says protocol version 2, but its frame "
                        "header says 1"));
}

TEST(FrameDecoderTest, RefusesAnEnvelopeWithoutAKind) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  Envelope envelope = make_envelope(1, "x");
  envelope.set_kind(MESSAGE_KIND_UNSPECIFIED);
  Status status =
      decoder.feed(raw_frame(1, envelope.SerializeAsString()), frames);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("envelope has no message kind"));
}

TEST(FrameDecoderTest, ReportsAStreamThatEndsInsideAHeader) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  const std::string frame = encode(make_envelope(1, "abc"));
  ASSERT_TRUE(decoder.feed(frame + frame.substr(0, 3), frames).is_ok());
  EXPECT_EQ(frames.size(), 1u);
  Status status = decoder.finish();
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "truncated frame: the stream ended after 3 of the 6-byte frame "
            "header (frame 2 at stream byte " +
                std::to_string(frame.size()) + ")");
}

TEST(FrameDecoderTest, ReportsAStreamThatEndsInsideABody) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  const std::string frame = encode(make_envelope(1, std::string(100, 'c')));
  ASSERT_TRUE(decoder.feed(frame.substr(0, 50), frames).is_ok());
  Status status = decoder.finish();
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "truncated frame: the stream ended after 50 of "
                              "the frame's " +
                                  std::to_string(frame.size()) +
                                  " bytes (frame 1 at stream byte 0)");
  EXPECT_TRUE(decoder.failed());
}

TEST(FrameDecoderTest, DeliversTheFramesBeforeABadOneAndThenStaysFailed) {
  const Envelope good = make_envelope(1, "good");
  const std::string stream = encode(good) + encode(good) +
                             std::string(4, '\0') + encode(good);
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  Status status = decoder.feed(stream, frames);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("frame 3 at stream byte " +
                                          std::to_string(2 * encode(good).size())));
  EXPECT_EQ(frames.size(), 2u);

  // A valid frame after the error is not decoded: the boundary is lost.
  Status again = decoder.feed(encode(good), frames);
  EXPECT_EQ(again.code(), status.code());
  EXPECT_EQ(again.message(), status.message());
  EXPECT_EQ(frames.size(), 2u);
  EXPECT_TRUE(decoder.failed());
  EXPECT_EQ(decoder.finish().message(), status.message());
}

TEST(FrameDecoderTest, EmptyFeedsAndAnEmptyStreamAreFine) {
  FrameDecoder decoder;
  std::vector<Envelope> frames;
  EXPECT_TRUE(decoder.feed("", frames).is_ok());
  EXPECT_TRUE(decoder.finish().is_ok());
  EXPECT_TRUE(frames.empty());
}

// Seeded random bytes, alone and spliced after valid frames: the decoder
// must answer with a value (frames or one of its three errors), never
// crash, and never hold more than its limit.
TEST(FrameDecoderTest, RandomGarbageNeverCrashesOrOverBuffers) {
  constexpr uint64_t kSeed = 77;
  constexpr uint32_t kLimit = 4096;
  std::mt19937_64 random(kSeed);
  const std::string valid = encode(make_envelope(1, "v"));
  int failures = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string input = round % 2 == 0 ? valid : "";
    const size_t length = std::uniform_int_distribution<size_t>(0, 64)(random);
    for (size_t i = 0; i < length; ++i) {
      input.push_back(static_cast<char>(random()));
    }
    FrameDecoder decoder(FrameDecoderOptions{.max_frame_bytes = kLimit});
    std::vector<Envelope> frames;
    Status status = decoder.feed(input, frames);
    if (status.is_ok()) status = decoder.finish();
    ASSERT_LE(decoder.buffered_bytes(), kFrameHeaderBytes + kLimit)
        << "seed " << kSeed << " round " << round;
    if (round % 2 == 0) {
      ASSERT_GE(frames.size(), 1u) << "the valid prefix must decode";
    }
    if (!status.is_ok()) {
      ++failures;
      ASSERT_TRUE(status.code() == ErrorCode::kInvalidArgument ||
                  status.code() == ErrorCode::kTooLarge ||
                  status.code() == ErrorCode::kUnsupportedVersion)
          << status.to_string();
      ASSERT_FALSE(status.message().empty());
    }
  }
  // Nearly every random tail is malformed; if none were, the decoder would
  // be accepting anything.
  EXPECT_GT(failures, 1500);
}

}  // namespace
}  // namespace quokka::proto
