// quokka-bench's argument checks: every bad value is refused with a message
// that names the option, quotes the value and states what is allowed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "client/bench/bench_options.h"

namespace quokka::client::bench {
namespace {

using ::testing::HasSubstr;

BenchArguments valid_arguments() {
  BenchArguments arguments;
  arguments.endpoints = "127.0.0.1:7001,127.0.0.1:7002";
  return arguments;
}

// The error message for `arguments`, which must be refused.
std::string refusal(const BenchArguments& arguments) {
  Result<BenchOptions> options = make_bench_options(arguments);
  EXPECT_FALSE(options.is_ok());
  if (options.is_ok()) return "";
  EXPECT_EQ(options.status().code(), ErrorCode::kInvalidArgument);
  return options.status().message();
}

TEST(BenchOptionsTest, TheDefaultsAreAClosedLoopPutOverAFewConnections) {
  BenchArguments arguments = valid_arguments();
  arguments.clients = 8;
  Result<BenchOptions> options = make_bench_options(arguments);
  ASSERT_TRUE(options.is_ok()) << options.status().to_string();
  EXPECT_EQ(options->operation, BenchOperation::kPut);
  EXPECT_EQ(options->consistency, Consistency::kLinearizable);
  EXPECT_EQ(options->endpoints.size(), 2u);
  EXPECT_EQ(options->clients, 8u);
  EXPECT_EQ(options->connections, static_cast<uint32_t>(kConnectionsDefault));
  EXPECT_FALSE(options->open_loop());
  EXPECT_EQ(options->duration, std::chrono::seconds(10));
  EXPECT_EQ(options->timeout, std::chrono::milliseconds(5000));
}

TEST(BenchOptionsTest, ClientsShareAFewConnectionsUnlessTold) {
  BenchArguments arguments = valid_arguments();
  arguments.operation = "get";
  arguments.consistency = "stale";
  arguments.clients = 64;
  Result<BenchOptions> options = make_bench_options(arguments);
  ASSERT_TRUE(options.is_ok()) << options.status().to_string();
  EXPECT_EQ(options->connections, static_cast<uint32_t>(kConnectionsDefault));
  EXPECT_EQ(options->consistency, Consistency::kStale);

  arguments.connections = 16;
  options = make_bench_options(arguments);
  ASSERT_TRUE(options.is_ok()) << options.status().to_string();
  EXPECT_EQ(options->connections, 16u);

  arguments.clients = 2;
  arguments.connections = 0;
  options = make_bench_options(arguments);
  ASSERT_TRUE(options.is_ok()) << options.status().to_string();
  EXPECT_EQ(options->connections, 2u) << "never more connections than clients";
}

TEST(BenchOptionsTest, UnknownOperationAndConsistencyNameTheChoices) {
  BenchArguments arguments = valid_arguments();
  arguments.operation = "scan";
  EXPECT_EQ(refusal(arguments),
            "--op \"scan\" is not an operation: allowed put, get, mixed, cas");
  arguments = valid_arguments();
  arguments.consistency = "eventual";
  EXPECT_EQ(refusal(arguments),
            "--consistency \"eventual\" is not a consistency: allowed linearizable, stale");
}

TEST(BenchOptionsTest, EndpointsMustBeGivenAndWellFormed) {
  BenchArguments arguments = valid_arguments();
  arguments.endpoints = " , ";
  EXPECT_THAT(refusal(arguments), HasSubstr("--endpoints is empty"));
  arguments.endpoints = "127.0.0.1:99999";
  const std::string message = refusal(arguments);
  EXPECT_THAT(message, HasSubstr("--endpoints"));
  EXPECT_THAT(message, HasSubstr("99999"));
}

TEST(BenchOptionsTest, IntegersOutOfRangeNameTheValueAndTheRange) {
  BenchArguments arguments = valid_arguments();
  arguments.value_size = -1;
  EXPECT_EQ(refusal(arguments),
            "--value-size -1 is out of range: allowed 0..16777216 bytes (the value "
            "size limit)");
  arguments = valid_arguments();
  arguments.value_size = 16 * 1024 * 1024 + 1;
  EXPECT_THAT(refusal(arguments), HasSubstr("--value-size 16777217 is out of range"));

  arguments = valid_arguments();
  arguments.keys = 0;
  EXPECT_EQ(refusal(arguments), "--keys 0 is out of range: allowed 1..10000000");

  arguments = valid_arguments();
  arguments.operation = "get";
  arguments.clients = 10'001;
  EXPECT_EQ(refusal(arguments), "--clients 10001 is out of range: allowed 1..10000");

  arguments = valid_arguments();
  arguments.operation = "mixed";
  arguments.read_percent = 101;
  arguments.read_percent_given = true;
  EXPECT_EQ(refusal(arguments), "--read-percent 101 is out of range: allowed 0..100");
}

TEST(BenchOptionsTest, WritersOnOneConnectionAreBoundedByItsWriteSessions) {
  BenchArguments arguments = valid_arguments();
  arguments.clients = 2048;
  arguments.connections = 2;
  EXPECT_TRUE(make_bench_options(arguments).is_ok()) << "1024 write sessions each";

  arguments.connections = 1;
  EXPECT_EQ(refusal(arguments),
            "--clients 2048 over --conns 1 puts 2048 writing logical clients on one "
            "connection: allowed at most 1024 (a Client's write sessions); give more "
            "--conns");

  arguments.operation = "get";
  EXPECT_TRUE(make_bench_options(arguments).is_ok()) << "reads need no write session";
}

TEST(BenchOptionsTest, ConnectionsStayWithinClientsAndTheConnectionLimit) {
  BenchArguments arguments = valid_arguments();
  arguments.operation = "get";
  arguments.clients = 8;
  arguments.connections = 9;
  EXPECT_EQ(refusal(arguments),
            "--conns 9 is out of range: allowed 1..8 (at most --clients, 8, and at most "
            "256)");
  arguments.connections = -3;
  EXPECT_THAT(refusal(arguments), HasSubstr("--conns -3 is out of range: allowed 1..8"));
  arguments.clients = 1000;
  arguments.connections = 300;
  EXPECT_THAT(refusal(arguments), HasSubstr("--conns 300 is out of range: allowed 1..256"));
}

TEST(BenchOptionsTest, TimesOutOfRangeNameTheValueAndTheRange) {
  BenchArguments arguments = valid_arguments();
  arguments.duration_seconds = 0;
  EXPECT_EQ(refusal(arguments),
            "--duration 0 is out of range: allowed 0.1..3600 seconds");
  arguments.duration_seconds = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(refusal(arguments), HasSubstr("--duration nan is out of range"));

  arguments = valid_arguments();
  arguments.warmup_seconds = -1;
  EXPECT_EQ(refusal(arguments), "--warmup -1 is out of range: allowed 0..600 seconds");

  arguments = valid_arguments();
  arguments.timeout_seconds = 0.001;
  EXPECT_EQ(refusal(arguments),
            "--timeout 0.001 is out of range: allowed 0.01..300 seconds");
}

TEST(BenchOptionsTest, RateIsOptionalAndBounded) {
  BenchArguments arguments = valid_arguments();
  arguments.rate = 0;
  arguments.rate_given = true;
  EXPECT_EQ(refusal(arguments),
            "--rate 0 is out of range: allowed 1..10000000 operations per second (leave it "
            "out for a closed loop)");
  arguments.rate = 500;
  Result<BenchOptions> options = make_bench_options(arguments);
  ASSERT_TRUE(options.is_ok()) << options.status().to_string();
  EXPECT_TRUE(options->open_loop());
  EXPECT_EQ(options->rate, 500);
}

TEST(BenchOptionsTest, ReadPercentAppliesToMixedOnly) {
  BenchArguments arguments = valid_arguments();
  arguments.read_percent = 90;
  arguments.read_percent_given = true;
  EXPECT_EQ(refusal(arguments), "--read-percent 90 applies to --op mixed only, not --op put");
  arguments.operation = "mixed";
  Result<BenchOptions> options = make_bench_options(arguments);
  ASSERT_TRUE(options.is_ok()) << options.status().to_string();
  EXPECT_EQ(options->read_percent, 90u);
}

TEST(BenchOptionsTest, TheKeyPrefixLeavesRoomForTheKeyNumber) {
  BenchArguments arguments = valid_arguments();
  arguments.key_prefix = std::string(4096 - 10, 'k');
  EXPECT_TRUE(make_bench_options(arguments).is_ok());
  arguments.key_prefix += "k";
  EXPECT_THAT(refusal(arguments),
              HasSubstr("--key-prefix is 4087 bytes long: allowed 0..4086 bytes"));
}

}  // namespace
}  // namespace quokka::client::bench
