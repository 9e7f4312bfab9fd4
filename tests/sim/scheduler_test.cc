#include "tests/sim/scheduler.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/sim/value_codec.h"

namespace quokka::sim {
namespace {

TEST(SchedulerTest, RunsEventsInTimeOrderAndTiesInSchedulingOrder) {
  Scheduler scheduler;
  std::string order;
  scheduler.at(20, [&] { order += 'c'; });
  scheduler.at(10, [&] { order += 'a'; });
  scheduler.at(10, [&] { order += 'b'; });
  scheduler.run_until(15);
  EXPECT_EQ(order, "ab");
  EXPECT_EQ(scheduler.now_ms(), 15u);
  scheduler.run_until(100);
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(scheduler.now_ms(), 100u);
}

TEST(SchedulerTest, EventsMayScheduleEventsAtTheSameTime) {
  Scheduler scheduler;
  int runs = 0;
  scheduler.at(5, [&] {
    ++runs;
    scheduler.after(0, [&] { ++runs; });
  });
  scheduler.run_until(5);
  EXPECT_EQ(runs, 2);
}

TEST(SchedulerTest, StopsWhenTheConditionHolds) {
  Scheduler scheduler;
  int runs = 0;
  for (uint64_t t = 1; t <= 10; ++t) scheduler.at(t, [&] { ++runs; });
  EXPECT_TRUE(scheduler.run_until(100, [&] { return runs == 3; }));
  EXPECT_EQ(scheduler.now_ms(), 3u);
}

TEST(ValueCodecTest, LabelsRoundTripAndCatchForeignBytes) {
  const std::string value = encode_value("c1.7", 5000);
  EXPECT_EQ(value.size(), 5000u);
  EXPECT_EQ(value_label(value), label_of("c1.7", 5000));
  std::string damaged = value;
  damaged[4000] = damaged[4000] == 'a' ? 'b' : 'a';
  EXPECT_EQ(value_label(damaged), std::nullopt);
  // A truncated value is some other size: its label names no write.
  EXPECT_NE(value_label(value.substr(0, 4999)), label_of("c1.7", 5000));
  EXPECT_EQ(value_label(encode_value("x", 1)), label_of("x", 1));
}

}  // namespace
}  // namespace quokka::sim
