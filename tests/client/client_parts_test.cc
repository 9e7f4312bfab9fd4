// The client's pure pieces: backoff, latency histogram, endpoint parsing,
// the retry rule.

#include <gtest/gtest.h>

#include "client/backoff.h"
#include "client/endpoint.h"
#include "client/latency_histogram.h"
#include "client/retry_decision.h"

namespace quokka::client {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, WaitsStayWithinTheJitteredCapAndReplayFromTheSeed) {
  RetryPolicy policy;
  policy.backoff_base = milliseconds(10);
  policy.backoff_max = milliseconds(100);
  Backoff first(policy, 42);
  Backoff second(policy, 42);
  for (uint32_t retry = 1; retry <= 10; ++retry) {
    const milliseconds cap = std::min(milliseconds(10 << (retry - 1)), milliseconds(100));
    const milliseconds wait = first.before_retry(retry);
    EXPECT_GE(wait, cap / 2) << "retry " << retry;
    EXPECT_LE(wait, cap) << "retry " << retry;
    EXPECT_EQ(wait, second.before_retry(retry)) << "same seed, same waits";
  }
}

TEST(BackoffTest, ALargeRetryNumberDoesNotOverflow) {
  RetryPolicy policy;
  policy.backoff_base = milliseconds(25);
  policy.backoff_max = milliseconds(1000);
  Backoff backoff(policy, 7);
  const milliseconds wait = backoff.before_retry(1000);
  EXPECT_GE(wait, milliseconds(500));
  EXPECT_LE(wait, milliseconds(1000));
}

TEST(LatencyHistogramTest, CountsInDoublingBucketsAndReadsQuantiles) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.quantile(0.5).count(), 0);
  for (int i = 0; i < 90; ++i) histogram.record(std::chrono::microseconds(150));
  for (int i = 0; i < 10; ++i) histogram.record(milliseconds(30));
  EXPECT_EQ(histogram.count(), 100u);
  EXPECT_EQ(histogram.bucket_count(1), 90u);  // (100 µs, 200 µs]
  EXPECT_EQ(histogram.quantile(0.5), std::chrono::microseconds(200));
  EXPECT_EQ(histogram.quantile(0.99), milliseconds(30)) << "clamped to the max seen";
  EXPECT_EQ(histogram.quantile(0.0), std::chrono::microseconds(150));
  EXPECT_EQ(histogram.max(), milliseconds(30));

  LatencyHistogram other;
  other.record(std::chrono::seconds(100));  // beyond the last bound
  histogram.merge(other);
  EXPECT_EQ(histogram.bucket_count(LatencyHistogram::kBoundedBuckets), 1u);
  EXPECT_EQ(histogram.quantile(1.0), std::chrono::seconds(100));
}

TEST(EndpointTest, ParsesHostPortAndBracketedIpv6) {
  Result<Endpoint> plain = parse_endpoint("127.0.0.1:7001");
  ASSERT_TRUE(plain.is_ok());
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 7001);
  Result<Endpoint> v6 = parse_endpoint("[::1]:7002");
  ASSERT_TRUE(v6.is_ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->to_string(), "[::1]:7002");
  for (const char* bad : {"", "host", "host:", ":7001", "host:0", "host:70000",
                          "::1:7001", "[::1]7001", "host:7x"}) {
    Result<Endpoint> parsed = parse_endpoint(bad);
    ASSERT_FALSE(parsed.is_ok()) << bad;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(split_endpoint_list(" a:1, b:2,,c:3 "),
            (std::vector<std::string>{"a:1", "b:2", "c:3"}));
}

TEST(RetryDecisionTest, MovesOnUnavailabilityFollowsHintsAndStopsOnAnswers) {
  EXPECT_EQ(decide_retry(AttemptFailure::kNodeError, ErrorCode::kNotLeader, "b:2"),
            RetryAction::kFollowLeaderHint);
  EXPECT_EQ(decide_retry(AttemptFailure::kNodeError, ErrorCode::kNotLeader, ""),
            RetryAction::kRetryNextEndpoint);
  EXPECT_EQ(decide_retry(AttemptFailure::kNodeError, ErrorCode::kNoQuorum, ""),
            RetryAction::kRetryNextEndpoint);
  EXPECT_EQ(decide_retry(AttemptFailure::kNodeError, ErrorCode::kOverloaded, ""),
            RetryAction::kRetrySameEndpoint);
  EXPECT_EQ(decide_retry(AttemptFailure::kConnectionLost, ErrorCode::kTimeout, ""),
            RetryAction::kRetryNextEndpoint);
  EXPECT_EQ(decide_retry(AttemptFailure::kNoAnswer, ErrorCode::kTimeout, ""),
            RetryAction::kRetryNextEndpoint);
  for (ErrorCode final_code :
       {ErrorCode::kUnsupportedVersion, ErrorCode::kTooLarge, ErrorCode::kInvalidArgument,
        ErrorCode::kCasMismatch, ErrorCode::kNoSpace, ErrorCode::kCorrupt}) {
    EXPECT_EQ(decide_retry(AttemptFailure::kNodeError, final_code, ""),
              RetryAction::kGiveUp)
        << error_code_name(final_code);
  }
  EXPECT_EQ(decide_retry(AttemptFailure::kUnknownNodeError, ErrorCode::kInvalidArgument, ""),
            RetryAction::kGiveUp);
}

}  // namespace
}  // namespace quokka::client
