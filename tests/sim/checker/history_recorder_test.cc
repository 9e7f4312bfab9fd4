#include "tests/sim/checker/history_recorder.h"

#include <gtest/gtest.h>

#include "tests/sim/checker/linearizability_checker.h"

namespace quokka::sim {
namespace {

TEST(HistoryRecorderTest, RecordsInvokeAndCompletePairs) {
  HistoryRecorder recorder;
  const OperationId put = recorder.invoke_put(ClientId(1), "k", "a", 10);
  const OperationId get = recorder.invoke_get(ClientId(2), "k", 12);
  recorder.complete_write_ok(put, 20, Revision(1));
  recorder.complete_get_ok(get, 25, "a", Revision(1));
  const OperationId cas = recorder.invoke_compare_and_swap(
      ClientId(1), "k", Revision(5), "b", 30);
  recorder.complete_fail(cas, 35, ErrorCode::kCasMismatch);
  const OperationId del = recorder.invoke_delete(ClientId(2), "k", 40);
  recorder.complete_info(del, 50, ErrorCode::kTimeout);
  recorder.invoke_get(ClientId(3), "k", 60);  // never completes

  const History history = recorder.history();
  ASSERT_EQ(history.size(), 5u);
  EXPECT_EQ(history[0].outcome, Outcome::kOk);
  EXPECT_EQ(history[0].revision, Revision(1));
  EXPECT_EQ(history[0].complete_tick, 20u);
  EXPECT_EQ(history[1].read_value, "a");
  EXPECT_EQ(history[2].outcome, Outcome::kFail);
  EXPECT_EQ(history[2].error, ErrorCode::kCasMismatch);
  EXPECT_EQ(history[2].expected_revision, Revision(5));
  EXPECT_EQ(history[3].outcome, Outcome::kInfo);
  EXPECT_EQ(history[4].outcome, Outcome::kInfo);
  EXPECT_EQ(history[4].complete_tick, kNeverTick);
  EXPECT_EQ(recorder.open_operation_count(), 1u);
  EXPECT_TRUE(recorder.has_open_operation(ClientId(3)));

  EXPECT_EQ(check_linearizability(history).verdict, Verdict::kOk);
}

TEST(HistoryRecorderTest, DescribesOperationsForPeople) {
  HistoryRecorder recorder;
  const OperationId put = recorder.invoke_put(ClientId(7), "k", "a\nb", 10);
  recorder.complete_write_ok(put, 20, Revision(3));
  const OperationId del = recorder.invoke_delete(ClientId(7), "k", 30);
  recorder.complete_info(del, 50, ErrorCode::kTimeout);
  const History history = recorder.history();
  EXPECT_EQ(describe_operation(0, history[0]),
            "#0 client 7 put \"k\" = \"a\\x0ab\" [10, 20] ok rev 3");
  EXPECT_EQ(describe_operation(1, history[1]),
            "#1 client 7 delete \"k\" [30, inf) info TIMEOUT (client gave "
            "up at 50)");
}

TEST(HistoryRecorderDeathTest, ClientsAreSingleThreaded) {
  HistoryRecorder recorder;
  recorder.invoke_get(ClientId(1), "k", 10);
  EXPECT_DEATH(recorder.invoke_get(ClientId(1), "k", 11),
               "clients are single-threaded");
}

TEST(HistoryRecorderDeathTest, AnOperationCompletesOnce) {
  HistoryRecorder recorder;
  const OperationId put = recorder.invoke_put(ClientId(1), "k", "a", 10);
  recorder.complete_write_ok(put, 20, Revision(1));
  EXPECT_DEATH(recorder.complete_write_ok(put, 30, Revision(1)),
               "completed twice");
}

}  // namespace
}  // namespace quokka::sim
