#include "tests/sim/checker/linearizability_checker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace quokka::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Hand-built operations on key "k" unless said otherwise. Revisions of 0 are
// "not reported".
Operation put_ok(uint64_t client, std::string value, uint64_t invoke,
                 uint64_t complete, uint64_t revision = 0) {
  Operation operation;
  operation.client = ClientId(client);
  operation.kind = OperationKind::kPut;
  operation.key = "k";
  operation.value = std::move(value);
  operation.invoke_tick = invoke;
  operation.complete_tick = complete;
  operation.outcome = Outcome::kOk;
  operation.revision = Revision(revision);
  return operation;
}

Operation put_fail(uint64_t client, std::string value, uint64_t invoke,
                   uint64_t complete) {
  Operation operation = put_ok(client, std::move(value), invoke, complete);
  operation.outcome = Outcome::kFail;
  operation.error = ErrorCode::kNotLeader;
  return operation;
}

Operation put_info(uint64_t client, std::string value, uint64_t invoke) {
  Operation operation = put_ok(client, std::move(value), invoke, kNeverTick);
  operation.outcome = Outcome::kInfo;
  operation.error = ErrorCode::kTimeout;
  return operation;
}

Operation get_ok(uint64_t client, std::optional<std::string> value,
                 uint64_t invoke, uint64_t complete, uint64_t revision = 0) {
  Operation operation;
  operation.client = ClientId(client);
  operation.kind = OperationKind::kGet;
  operation.key = "k";
  operation.invoke_tick = invoke;
  operation.complete_tick = complete;
  operation.outcome = Outcome::kOk;
  operation.read_value = std::move(value);
  operation.revision = Revision(revision);
  return operation;
}

Operation delete_ok(uint64_t client, uint64_t invoke, uint64_t complete) {
  Operation operation;
  operation.client = ClientId(client);
  operation.kind = OperationKind::kDelete;
  operation.key = "k";
  operation.invoke_tick = invoke;
  operation.complete_tick = complete;
  operation.outcome = Outcome::kOk;
  return operation;
}

Operation cas_ok(uint64_t client, uint64_t expected, std::string value,
                 uint64_t invoke, uint64_t complete, uint64_t revision = 0) {
  Operation operation = put_ok(client, std::move(value), invoke, complete,
                               revision);
  operation.kind = OperationKind::kCompareAndSwap;
  operation.expected_revision = Revision(expected);
  return operation;
}

Operation cas_mismatch(uint64_t client, uint64_t expected, std::string value,
                       uint64_t invoke, uint64_t complete) {
  Operation operation = cas_ok(client, expected, std::move(value), invoke,
                               complete);
  operation.outcome = Outcome::kFail;
  operation.error = ErrorCode::kCasMismatch;
  return operation;
}

Operation on_key(Operation operation, std::string key) {
  operation.key = std::move(key);
  return operation;
}

void expect_verdict(const History& history, Verdict verdict) {
  const CheckResult result = check_linearizability(history);
  EXPECT_EQ(result.verdict, verdict)
      << "got " << verdict_name(result.verdict) << ":\n"
      << result.explanation;
}

TEST(LinearizabilityCheckerTest, EmptyHistoryIsOk) {
  expect_verdict({}, Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, SequentialWritesAndReadsAreOk) {
  expect_verdict({get_ok(1, std::nullopt, 0, 5),
                  put_ok(1, "a", 10, 20, 1),
                  get_ok(2, "a", 30, 40, 1),
                  put_ok(2, "b", 50, 60, 2),
                  get_ok(1, "b", 70, 80, 2)},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, StaleReadAfterCompletedWriteIsViolation) {
  const History history = {put_ok(1, "a", 0, 10), put_ok(1, "b", 20, 30),
                           get_ok(2, "a", 40, 50)};
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kViolation) << result.explanation;
  EXPECT_EQ(result.key, "k");
  EXPECT_THAT(result.operations, ElementsAre(0, 1, 2));
  EXPECT_THAT(result.explanation, HasSubstr("#2 client 2 get \"k\" [40, 50] "
                                            "ok -> \"a\""));
}

TEST(LinearizabilityCheckerTest, ReadConcurrentWithWriteMaySeeEitherValue) {
  expect_verdict({put_ok(1, "a", 0, 10), put_ok(1, "b", 20, 60),
                  get_ok(2, "a", 30, 40), get_ok(3, "b", 30, 40)},
                 Verdict::kOk);
  // But not new then old, when the reads do not overlap.
  expect_verdict({put_ok(1, "a", 0, 10), put_ok(1, "b", 20, 60),
                  get_ok(2, "b", 30, 40), get_ok(3, "a", 45, 50)},
                 Verdict::kViolation);
}

TEST(LinearizabilityCheckerTest, ReadOfValueNeverWrittenIsViolation) {
  const History history = {put_ok(1, "a", 0, 10), get_ok(2, "z", 20, 30),
                           on_key(put_ok(3, "z", 0, 10), "other")};
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kViolation) << result.explanation;
  EXPECT_THAT(result.operations, ElementsAre(1));
  EXPECT_THAT(result.explanation, HasSubstr("no operation wrote"));
}

TEST(LinearizabilityCheckerTest, ReadOfDefinitelyFailedWriteIsViolation) {
  const History history = {put_ok(1, "a", 0, 10), put_fail(1, "b", 20, 30),
                           get_ok(2, "b", 40, 50)};
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kViolation) << result.explanation;
  EXPECT_THAT(result.operations, ElementsAre(1, 2));
  EXPECT_THAT(result.explanation, HasSubstr("failed definitely"));
}

TEST(LinearizabilityCheckerTest, FailedWriteThatNobodySawIsOk) {
  expect_verdict({put_ok(1, "a", 0, 10), put_fail(1, "b", 20, 30),
                  get_ok(2, "a", 40, 50)},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, ConcurrentWritesSeenInOneOrderAreOk) {
  expect_verdict({put_ok(1, "a", 0, 100), put_ok(2, "b", 0, 100),
                  get_ok(3, "a", 10, 20), get_ok(3, "b", 30, 40),
                  get_ok(4, "a", 10, 20), get_ok(4, "b", 30, 40)},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, ConcurrentWritesSeenInTwoOrdersIsViolation) {
  // Reader 3 sees a then b, reader 4 sees b then a: the two writes would
  // have to take effect in both orders.
  const History history = {put_ok(1, "a", 0, 100), put_ok(2, "b", 0, 100),
                           get_ok(3, "a", 10, 20), get_ok(3, "b", 30, 40),
                           get_ok(4, "b", 10, 20), get_ok(4, "a", 30, 40)};
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kViolation) << result.explanation;
  EXPECT_EQ(result.operations.size(), 6u) << result.explanation;
}

TEST(LinearizabilityCheckerTest, IndeterminateWriteBecomingVisibleLaterIsOk) {
  expect_verdict({put_ok(1, "a", 0, 10), put_info(2, "b", 20),
                  get_ok(3, "a", 30, 40), get_ok(3, "b", 100, 110)},
                 Verdict::kOk);
  // Even after a later write completed: it may take effect after that.
  expect_verdict({put_ok(1, "a", 0, 10), put_info(2, "b", 5),
                  put_ok(1, "c", 20, 30), get_ok(3, "b", 40, 50)},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, IndeterminateWriteNeverSeenIsOk) {
  expect_verdict({put_ok(1, "a", 0, 10), put_info(2, "b", 20),
                  get_ok(3, "a", 30, 40), get_ok(3, "a", 100, 110)},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, IndeterminateWriteSeenThenUnseenIsViolation) {
  const History history = {put_ok(1, "a", 0, 10), put_info(2, "b", 20),
                           get_ok(3, "b", 30, 40), get_ok(3, "a", 50, 60)};
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kViolation) << result.explanation;
  EXPECT_THAT(result.operations, ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(result.explanation, HasSubstr("[20, inf)"));
}

TEST(LinearizabilityCheckerTest, IndeterminateWriteCannotPrecedeItsInvoke) {
  expect_verdict({put_ok(1, "a", 0, 10), get_ok(3, "b", 20, 30),
                  put_info(2, "b", 40)},
                 Verdict::kViolation);
}

TEST(LinearizabilityCheckerTest, FailedAndIndeterminateReadsConstrainNothing) {
  Operation failed_read = get_ok(2, "nonsense", 40, 50);
  failed_read.outcome = Outcome::kFail;
  failed_read.error = ErrorCode::kNoQuorum;
  Operation unknown_read = get_ok(3, "nonsense", 40, 50);
  unknown_read.outcome = Outcome::kInfo;
  unknown_read.error = ErrorCode::kTimeout;
  expect_verdict({put_ok(1, "a", 0, 10), failed_read, unknown_read},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, CompareAndSwapOnMatchingRevisionIsOk) {
  expect_verdict({cas_ok(1, 0, "a", 0, 10, 1), cas_ok(1, 1, "b", 20, 30, 2),
                  get_ok(2, "b", 40, 50, 2), cas_mismatch(2, 1, "c", 60, 70),
                  cas_mismatch(2, 0, "d", 80, 90)},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, CompareAndSwapOnStaleRevisionIsViolation) {
  // The CAS expects revision 1 after revision 2 was written.
  expect_verdict({put_ok(1, "a", 0, 10, 1), put_ok(1, "b", 20, 30, 2),
                  cas_ok(2, 1, "c", 40, 50, 3)},
                 Verdict::kViolation);
}

TEST(LinearizabilityCheckerTest, CompareAndSwapExpectingAbsenceNeedsAbsence) {
  expect_verdict({put_ok(1, "a", 0, 10, 1), cas_ok(2, 0, "b", 20, 30, 2)},
                 Verdict::kViolation);
  expect_verdict({put_ok(1, "a", 0, 10, 1), delete_ok(1, 15, 18),
                  cas_ok(2, 0, "b", 20, 30, 3)},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, CompareAndSwapMismatchMustSeeAnotherRevision) {
  // Nothing but revision 1 was ever there, yet the CAS saw another.
  expect_verdict({put_ok(1, "a", 0, 10, 1), cas_mismatch(2, 1, "b", 20, 30)},
                 Verdict::kViolation);
  // A concurrent write explains it.
  expect_verdict({put_ok(1, "a", 0, 10, 1), put_ok(3, "c", 15, 40, 2),
                  cas_mismatch(2, 1, "b", 20, 30)},
                 Verdict::kOk);
  // So does an absent key when the CAS expected a revision.
  expect_verdict({cas_mismatch(2, 7, "b", 20, 30)}, Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, MismatchedCompareAndSwapNeverWrites) {
  expect_verdict({put_ok(1, "a", 0, 10, 1), cas_mismatch(2, 5, "b", 20, 30),
                  get_ok(3, "b", 40, 50)},
                 Verdict::kViolation);
}

TEST(LinearizabilityCheckerTest, CompareAndSwapAfterRevisionlessWriteMatches) {
  // An indeterminate write's revision is unknown; the CAS may have matched
  // it, and the read shows it did.
  expect_verdict({put_ok(1, "a", 0, 10, 1), put_info(2, "b", 20),
                  cas_ok(3, 5, "c", 30, 40, 6), get_ok(3, "c", 50, 60, 6)},
                 Verdict::kOk);
  // Not when the expected revision belongs to another write.
  expect_verdict({put_ok(1, "a", 0, 10, 1), put_info(2, "b", 20),
                  on_key(put_ok(4, "x", 0, 10, 5), "other"),
                  cas_ok(3, 5, "c", 30, 40, 6)},
                 Verdict::kViolation);
}

TEST(LinearizabilityCheckerTest, DeleteThenReadSeesAbsence) {
  expect_verdict({put_ok(1, "a", 0, 10), delete_ok(1, 20, 30),
                  get_ok(2, std::nullopt, 40, 50)},
                 Verdict::kOk);
  expect_verdict({put_ok(1, "a", 0, 10), delete_ok(1, 20, 30),
                  get_ok(2, "a", 40, 50)},
                 Verdict::kViolation);
  // A read concurrent with the delete may see either.
  expect_verdict({put_ok(1, "a", 0, 10), delete_ok(1, 20, 30),
                  get_ok(2, "a", 25, 35), get_ok(3, std::nullopt, 25, 35)},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, ReadOfAbsentKeyAfterWriteIsViolation) {
  expect_verdict({put_ok(1, "a", 0, 10), get_ok(2, std::nullopt, 20, 30)},
                 Verdict::kViolation);
}

TEST(LinearizabilityCheckerTest, ReadMustReportTheWritesRevision) {
  const CheckResult result = check_linearizability(
      {put_ok(1, "a", 0, 10, 4), get_ok(2, "a", 20, 30, 5)});
  ASSERT_EQ(result.verdict, Verdict::kViolation) << result.explanation;
  EXPECT_THAT(result.explanation, HasSubstr("revision 4 and with revision 5"));
}

TEST(LinearizabilityCheckerTest, TwoWritesCannotShareARevision) {
  expect_verdict({put_ok(1, "a", 0, 10, 4),
                  on_key(put_ok(2, "b", 0, 10, 4), "other")},
                 Verdict::kViolation);
}

TEST(LinearizabilityCheckerTest, RevisionsFollowRealTimeAcrossKeys) {
  expect_verdict({put_ok(1, "a", 0, 10, 9),
                  on_key(put_ok(2, "b", 20, 30, 8), "other")},
                 Verdict::kViolation);
  expect_verdict({put_ok(1, "a", 0, 10, 8),
                  on_key(put_ok(2, "b", 20, 30, 9), "other")},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, WritesOfOneKeyApplyInRevisionOrder) {
  // The writes overlap, so real time allows either order, but the read says
  // "b" came last while "a" has the higher revision.
  expect_verdict({put_ok(1, "a", 0, 50, 2), put_ok(2, "b", 0, 50, 1),
                  get_ok(3, "b", 60, 70, 1)},
                 Verdict::kViolation);
  expect_verdict({put_ok(1, "a", 0, 50, 2), put_ok(2, "b", 0, 50, 1),
                  get_ok(3, "a", 60, 70, 2)},
                 Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, ValuesWrittenTwiceMakeTheHistoryInvalid) {
  const CheckResult result = check_linearizability(
      {put_ok(1, "a", 0, 10), put_ok(2, "a", 20, 30), get_ok(3, "a", 40, 50)});
  EXPECT_EQ(result.verdict, Verdict::kInvalidHistory);
  EXPECT_THAT(result.operations, ElementsAre(0, 1));
  EXPECT_THAT(result.explanation, HasSubstr("unique per key"));
}

TEST(LinearizabilityCheckerTest, OperationCompletingBeforeInvokeIsInvalid) {
  expect_verdict({put_ok(1, "a", 10, 5)}, Verdict::kInvalidHistory);
}

TEST(LinearizabilityCheckerTest, ExhaustedSearchIsUnknownNotOk) {
  History history;
  for (uint64_t i = 0; i < 20; ++i) {
    history.push_back(put_ok(i, "v" + std::to_string(i), 0, 100));
  }
  history.push_back(get_ok(99, "v7", 200, 210));
  CheckOptions options;
  options.search_steps_per_key_max = 5;
  const CheckResult result = check_linearizability(history, options);
  EXPECT_EQ(result.verdict, Verdict::kUnknown) << result.explanation;
  EXPECT_EQ(result.key, "k");
  EXPECT_THAT(result.explanation, HasSubstr("limit 5"));
  // With the default limits it is decided.
  expect_verdict(history, Verdict::kOk);
}

TEST(LinearizabilityCheckerTest, ViolationOnOneKeyIsFoundAmongOthers) {
  History history;
  for (uint64_t i = 0; i < 50; ++i) {
    const std::string key = "key" + std::to_string(i % 5);
    history.push_back(on_key(
        put_ok(1, "v" + std::to_string(i), 100 * i, 100 * i + 10), key));
    history.push_back(on_key(
        get_ok(2, "v" + std::to_string(i), 100 * i + 20, 100 * i + 30), key));
  }
  expect_verdict(history, Verdict::kOk);
  // key3's read at the end sees the value key3 held before its last write.
  history.push_back(on_key(get_ok(2, "v43", 10000, 10010), "key3"));
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kViolation) << result.explanation;
  EXPECT_EQ(result.key, "key3");
}

TEST(LinearizabilityCheckerTest, ExplanationLeavesOutWhatIsNotNeeded) {
  // Many reads that are fine, then one stale read: the witness is the
  // stale read, the write it saw, and the write that overwrote it.
  History history = {put_ok(1, "a", 0, 10)};
  for (uint64_t i = 0; i < 30; ++i) {
    history.push_back(get_ok(2, "a", 20 + 10 * i, 25 + 10 * i));
  }
  history.push_back(put_ok(1, "b", 400, 410));  // #31
  for (uint64_t i = 0; i < 30; ++i) {
    history.push_back(get_ok(3, "b", 420 + 10 * i, 425 + 10 * i));
  }
  history.push_back(get_ok(4, "a", 800, 810));  // #62, stale
  for (uint64_t i = 0; i < 10; ++i) {
    history.push_back(get_ok(3, "b", 900 + 10 * i, 905 + 10 * i));
  }
  const CheckResult result = check_linearizability(history);
  ASSERT_EQ(result.verdict, Verdict::kViolation) << result.explanation;
  EXPECT_THAT(result.operations, ElementsAre(0, 31, 62)) << result.explanation;
  EXPECT_THAT(result.explanation, HasSubstr("no order lets #62 take effect"));
}

TEST(LinearizabilityCheckerTest, ShrinkingCanBeTurnedOff) {
  History history = {put_ok(1, "a", 0, 10)};
  for (uint64_t i = 0; i < 5; ++i) {
    history.push_back(get_ok(2, "a", 20 + 10 * i, 25 + 10 * i));
  }
  history.push_back(put_ok(1, "b", 400, 410));
  history.push_back(get_ok(4, "a", 800, 810));
  CheckOptions options;
  options.shrink_steps_max = 0;
  const CheckResult result = check_linearizability(history, options);
  ASSERT_EQ(result.verdict, Verdict::kViolation) << result.explanation;
  EXPECT_EQ(result.operations.size(), history.size());
}

}  // namespace
}  // namespace quokka::sim
