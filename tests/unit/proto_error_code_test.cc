#include <gtest/gtest.h>

#include <string>

#include "common/error_code.h"
#include "proto/error_code_conversion.h"
#include "proto/errors.pb.h"

namespace quokka::proto {
namespace {

// Every code converts to the wire value with the same protocol name and
// back to itself, so the two enums agree by name as well as by number.
TEST(ProtoErrorCodeTest, EveryCodeMapsToTheWireCodeOfTheSameName) {
  for (int value = 0; value < quokka::kErrorCodeCount; ++value) {
    const auto code = static_cast<quokka::ErrorCode>(value);
    const proto::ErrorCode wire = to_wire_error_code(code);
    EXPECT_EQ(static_cast<int>(wire), value);
    EXPECT_EQ(proto::ErrorCode_Name(wire), std::string(error_code_name(code)))
        << "value " << value;
    EXPECT_EQ(from_wire_error_code(wire), code);
  }
}

TEST(ProtoErrorCodeTest, SpotChecksTheDocumentedWireValues) {
  EXPECT_EQ(to_wire_error_code(quokka::ErrorCode::kOk), 0);
  EXPECT_EQ(to_wire_error_code(quokka::ErrorCode::kNotLeader), 1);
  EXPECT_EQ(to_wire_error_code(quokka::ErrorCode::kUnsupportedVersion), 3);
  EXPECT_EQ(to_wire_error_code(quokka::ErrorCode::kCasMismatch), 8);
  EXPECT_EQ(to_wire_error_code(quokka::ErrorCode::kShuttingDown), 12);
}

TEST(ProtoErrorCodeTest, AWireValueThisBuildDoesNotKnowIsNotACode) {
  EXPECT_EQ(from_wire_error_code(static_cast<proto::ErrorCode>(13)),
            std::nullopt);
  EXPECT_EQ(from_wire_error_code(static_cast<proto::ErrorCode>(-1)),
            std::nullopt);
}

// An Error with a value this build does not know survives parsing (proto3
// enums are open) so that the conversion above gets the chance to refuse it.
TEST(ProtoErrorCodeTest, UnknownWireValueSurvivesParsing) {
  proto::Error error;
  error.set_code(static_cast<proto::ErrorCode>(99));
  proto::Error parsed;
  ASSERT_TRUE(parsed.ParseFromString(error.SerializeAsString()));
  EXPECT_EQ(static_cast<int>(parsed.code()), 99);
  EXPECT_EQ(from_wire_error_code(parsed.code()), std::nullopt);
}

}  // namespace
}  // namespace quokka::proto
