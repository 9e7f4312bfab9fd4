// process_* metrics from /proc/self: the parser on a fixed line, and this
// very process read live.
#include <gtest/gtest.h>

#include <chrono>

#include "server/process_metrics.h"

namespace quokka::server {
namespace {

TEST(ProcessMetricsTest, ParsesProcSelfStat) {
  // A comm with a space and a parenthesis; utime 250, stime 50 ticks,
  // starttime 1000 ticks, vsize 123456789 bytes, rss 2000 pages.
  const std::string stat =
      "4242 (quokkad (x)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 5 0 "
      "1000 123456789 2000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  const auto reading = parse_proc_self_stat(stat, 100, 4096, 1700000000);
  ASSERT_TRUE(reading.has_value());
  EXPECT_DOUBLE_EQ(reading->cpu_seconds, 3.0);
  EXPECT_DOUBLE_EQ(reading->start_time_seconds, 1700000010.0);
  EXPECT_DOUBLE_EQ(reading->virtual_bytes, 123456789.0);
  EXPECT_DOUBLE_EQ(reading->resident_bytes, 2000.0 * 4096);
}

TEST(ProcessMetricsTest, RefusesATruncatedLine) {
  EXPECT_FALSE(parse_proc_self_stat("4242 (quokkad) S 1 2 3", 100, 4096, 0).has_value());
  EXPECT_FALSE(parse_proc_self_stat("garbage", 100, 4096, 0).has_value());
}

TEST(ProcessMetricsTest, ReadsThisProcess) {
  const ProcessReading reading = read_process();
  EXPECT_GT(reading.resident_bytes, 0);
  EXPECT_GE(reading.virtual_bytes, reading.resident_bytes);
  EXPECT_GE(reading.open_fds, 3);  // stdin, stdout, stderr at least
  EXPECT_GE(reading.max_fds, reading.open_fds);
  const double now = std::chrono::duration<double>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  // Started within the last day, and not in the future (btime and the
  // start tick are whole seconds and ticks).
  EXPECT_LE(reading.start_time_seconds, now + 1);
  EXPECT_GT(reading.start_time_seconds, now - 86400);
}

}  // namespace
}  // namespace quokka::server
