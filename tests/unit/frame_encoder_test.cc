#include <gtest/gtest.h>

#include <string>

#include "proto/envelope.pb.h"
#include "proto/frame_encoder.h"
#include "proto/frame_format.h"
#include "proto/protocol_version.h"

namespace quokka::proto {
namespace {

Envelope make_envelope(std::string payload) {
  Envelope envelope;
  envelope.set_protocol_version(kProtocolVersionMax);
  envelope.set_lamport_time(42);
  envelope.set_request_id(7);
  envelope.set_kind(MESSAGE_KIND_GET_REQUEST);
  envelope.set_payload(std::move(payload));
  return envelope;
}

TEST(FrameEncoderTest, WritesLengthThenVersionThenEnvelope) {
  const Envelope envelope = make_envelope("payload");
  Result<std::string> frame = encode_frame(envelope);
  ASSERT_TRUE(frame.is_ok()) << frame.status().to_string();

  const std::string body = envelope.SerializeAsString();
  ASSERT_EQ(frame->size(), kFrameHeaderBytes + body.size());
  const auto* bytes = reinterpret_cast<const unsigned char*>(frame->data());
  EXPECT_EQ(read_u32_big_endian(bytes), 2 + body.size());
  EXPECT_EQ(bytes[0], 0);  // big-endian: the small length sits at the end
  EXPECT_EQ(bytes[3], 2 + body.size());
  EXPECT_EQ(bytes[4], 0);
  EXPECT_EQ(bytes[5], kProtocolVersionMax);
  EXPECT_EQ(frame->substr(kFrameHeaderBytes), body);
}

TEST(FrameEncoderTest, BigEndianHelpersRoundTripHighBits) {
  unsigned char bytes[4];
  write_u32_big_endian(0xF1E2D3C4, bytes);
  EXPECT_EQ(bytes[0], 0xF1);
  EXPECT_EQ(bytes[3], 0xC4);
  EXPECT_EQ(read_u32_big_endian(bytes), 0xF1E2D3C4u);
  write_u16_big_endian(0xFEDC, bytes);
  EXPECT_EQ(read_u16_big_endian(bytes), 0xFEDC);
}

TEST(FrameEncoderTest, AppendsAfterWhatIsAlreadyInTheBuffer) {
  std::string buffer = "earlier bytes";
  ASSERT_TRUE(append_frame(make_envelope("a"), kFrameBytesMaxDefault, buffer)
                  .is_ok());
  EXPECT_EQ(buffer.substr(0, 13), "earlier bytes");
  EXPECT_EQ(buffer.substr(13), *encode_frame(make_envelope("a")));
}

TEST(FrameEncoderTest, AcceptsAFrameExactlyAtTheLimitAndRefusesOneByteMore) {
  const Envelope envelope = make_envelope(std::string(1000, 'x'));
  const uint32_t frame_bytes =
      static_cast<uint32_t>(kFrameVersionFieldBytes + envelope.ByteSizeLong());

  EXPECT_TRUE(encode_frame(envelope, frame_bytes).is_ok());

  std::string buffer = "keep";
  Status refused = append_frame(envelope, frame_bytes - 1, buffer);
  EXPECT_EQ(refused.code(), ErrorCode::kTooLarge);
  EXPECT_EQ(refused.message(),
            "envelope of kind MESSAGE_KIND_GET_REQUEST encodes to a frame of " +
                std::to_string(frame_bytes) +
                " bytes, which exceeds the limit of " +
                std::to_string(frame_bytes - 1) + " bytes");
  EXPECT_EQ(buffer, "keep") << "a refused frame must leave the buffer as it was";
}

TEST(FrameEncoderTest, RefusesAnEnvelopeWithoutAVersion) {
  Envelope envelope = make_envelope("x");
  envelope.set_protocol_version(0);
  Result<std::string> frame = encode_frame(envelope);
  ASSERT_FALSE(frame.is_ok());
  EXPECT_EQ(frame.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(frame.status().message().find("no protocol version"),
            std::string::npos);
}

TEST(FrameEncoderTest, RefusesAVersionTheTwoByteFieldCannotHold) {
  Envelope envelope = make_envelope("x");
  envelope.set_protocol_version(70000);
  Result<std::string> frame = encode_frame(envelope);
  ASSERT_FALSE(frame.is_ok());
  EXPECT_EQ(frame.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(frame.status().message().find("70000"), std::string::npos);
}

TEST(FrameEncoderTest, RefusesAnEnvelopeWithoutAKind) {
  Envelope envelope = make_envelope("x");
  envelope.set_kind(MESSAGE_KIND_UNSPECIFIED);
  Result<std::string> frame = encode_frame(envelope);
  ASSERT_FALSE(frame.is_ok());
  EXPECT_EQ(frame.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(frame.status().message(), "envelope has no message kind");
}

// Payload sizes on both sides of each varint length boundary, and none.
TEST(FrameEncoderTest, SplitFrameIsTheSameBytesAsTheWholeFrame) {
  for (size_t payload_bytes : {size_t{0}, size_t{1}, size_t{127}, size_t{128}, size_t{16383},
                               size_t{16384}, size_t{2097152}}) {
    Envelope envelope = make_envelope(std::string(payload_bytes, 'v'));
    Result<std::string> whole = encode_frame(envelope);
    ASSERT_TRUE(whole.is_ok()) << whole.status().to_string();

    Result<SplitFrame> split = split_frame(envelope, kFrameBytesMaxDefault);
    ASSERT_TRUE(split.is_ok()) << split.status().to_string();
    EXPECT_EQ(split->payload.size(), payload_bytes);
    EXPECT_EQ(split->size(), whole->size());
    EXPECT_TRUE(split->head + split->payload == *whole) << "payload of " << payload_bytes;
  }
}

TEST(FrameEncoderTest, SplitFrameRefusedLeavesTheEnvelopeWhole) {
  Envelope envelope = make_envelope(std::string(1000, 'x'));
  const uint32_t frame_bytes =
      static_cast<uint32_t>(kFrameVersionFieldBytes + envelope.ByteSizeLong());

  Result<SplitFrame> refused = split_frame(envelope, frame_bytes - 1);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kTooLarge);
  EXPECT_EQ(envelope.payload(), std::string(1000, 'x'));

  envelope.set_kind(MESSAGE_KIND_UNSPECIFIED);
  Result<SplitFrame> no_kind = split_frame(envelope, kFrameBytesMaxDefault);
  ASSERT_FALSE(no_kind.is_ok());
  EXPECT_EQ(no_kind.status().message(), "envelope has no message kind");
  EXPECT_EQ(envelope.payload().size(), 1000u);
}

TEST(FrameEncoderTest, DefaultLimitIsTheValueLimitPlus64KiB) {
  EXPECT_EQ(kFrameBytesMaxDefault, 16u * 1024 * 1024 + 64 * 1024);
  EXPECT_EQ(kFrameBytesMaxDefault, 16842752u);
}

}  // namespace
}  // namespace quokka::proto
