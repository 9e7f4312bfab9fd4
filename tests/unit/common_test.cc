#include <gtest/gtest.h>

#include "common/blob_id.h"
#include "common/status.h"
#include "common/types.h"

namespace quokka {
namespace {

TEST(BlobIdTest, MatchesKnownSha256Vectors) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(BlobId::of("").hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(BlobId::of("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(BlobIdTest, HexAndRawFormsRoundTrip) {
  BlobId id = BlobId::of("quokka");
  EXPECT_EQ(BlobId::from_hex(id.hex()), id);
  EXPECT_EQ(BlobId::from_bytes(id.bytes()), id);
  EXPECT_EQ(id.short_hex(), id.hex().substr(0, 12));
}

TEST(BlobIdTest, RejectsMalformedText) {
  EXPECT_FALSE(BlobId::from_hex("abc").has_value());
  EXPECT_FALSE(BlobId::from_hex(std::string(64, 'g')).has_value());
  EXPECT_FALSE(BlobId::from_bytes("short").has_value());
}

TEST(StatusTest, NamesTheCodeAndTheMessage) {
  Status status(ErrorCode::kTooLarge, "value is 20 bytes, limit is 10");
  EXPECT_FALSE(status.is_ok());
  EXPECT_EQ(status.to_string(), "TOO_LARGE: value is 20 bytes, limit is 10");
  EXPECT_EQ(Status::ok().to_string(), "OK");
}

TEST(ResultTest, HoldsAValueOrAnError) {
  Result<int> good = 7;
  ASSERT_TRUE(good.is_ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = Status(ErrorCode::kNotFound, "no such key");
  EXPECT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kNotFound);
}

TEST(ResultDeathTest, ValueOfAnErrorAborts) {
  Result<int> bad = Status(ErrorCode::kNotFound, "no such key");
  EXPECT_DEATH((void)bad.value(), "value\\(\\) on an error: NOT_FOUND");
}

TEST(StrongTypeTest, OrdersByValue) {
  EXPECT_LT(Term(1), Term(2));
  EXPECT_EQ(LogIndex(5), LogIndex(5));
  EXPECT_EQ(NodeId(3).value(), 3u);
}

}  // namespace
}  // namespace quokka
