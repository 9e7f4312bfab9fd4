// The storage thread: group commit with one log sync per group, timed on
// its own, and each batch's wait in the queue.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <vector>

#include "server/storage_writer.h"
#include "tests/support/storage_harness.h"

namespace quokka::server {
namespace {

using testing::Backend;
using testing::StorageHarness;

struct Observed {
  std::mutex mutex;
  std::vector<double> waits;
  std::vector<std::pair<double, double>> commits;  // (commit, sync) seconds
};

// Writes `count` batches, each one blob, and waits until every one is done.
std::vector<Status> write_blobs(StorageWriter& writer, int count, Sync sync = Sync::kYes) {
  std::vector<std::future<Status>> futures;
  for (int i = 0; i < count; ++i) {
    auto promise = std::make_shared<std::promise<Status>>();
    futures.push_back(promise->get_future());
    WriteBatch batch;
    batch.put_blob("value " + std::to_string(i), 100);
    writer.write(std::move(batch), sync,
                 [promise](Status status) { promise->set_value(status); });
  }
  std::vector<Status> results;
  for (auto& future : futures) results.push_back(future.get());
  return results;
}

StorageWriter::Observer observer_into(Observed& observed) {
  return StorageWriter::Observer{
      [&observed](double waited) {
        std::lock_guard lock(observed.mutex);
        observed.waits.push_back(waited);
      },
      [&observed](double commit, double sync) {
        std::lock_guard lock(observed.mutex);
        observed.commits.emplace_back(commit, sync);
      }};
}

TEST(StorageWriterTest, EveryBatchIsDurableWhenDoneAndTheSyncIsTimedOnItsOwn) {
  StorageHarness harness(Backend::kMemory);
  Observed observed;
  // Completions run right away on the storage thread (no event loop here).
  StorageWriter writer(harness.storage(), [](std::function<void()> done) { done(); },
                       /*sync=*/true, observer_into(observed));
  for (const Status& status : write_blobs(writer, 20)) EXPECT_TRUE(status.is_ok());
  writer.stop();
  // The separate log sync made every batch of every group durable.
  EXPECT_EQ(harness.unsynced_batch_count(), 0u);
  std::lock_guard lock(observed.mutex);
  EXPECT_EQ(observed.waits.size(), 20u);
  for (double waited : observed.waits) EXPECT_GE(waited, 0);
  ASSERT_FALSE(observed.commits.empty());
  EXPECT_LE(observed.commits.size(), 20u);
  for (const auto& [commit, sync] : observed.commits) {
    EXPECT_GT(sync, 0);
    EXPECT_GE(commit, sync);  // the commit includes its sync
  }
}

TEST(StorageWriterTest, WithoutSyncNothingIsSyncedAndNoSyncTimeIsReported) {
  StorageHarness harness(Backend::kMemory);
  Observed observed;
  StorageWriter writer(harness.storage(), [](std::function<void()> done) { done(); },
                       /*sync=*/false, observer_into(observed));
  for (const Status& status : write_blobs(writer, 5)) EXPECT_TRUE(status.is_ok());
  writer.stop();
  EXPECT_EQ(harness.unsynced_batch_count(), 5u);
  std::lock_guard lock(observed.mutex);
  for (const auto& [commit, sync] : observed.commits) EXPECT_EQ(sync, 0);
}

TEST(StorageWriterTest, BatchesThatAskNoSyncAreWrittenAndMadeDurableByTheNextSync) {
  StorageHarness harness(Backend::kMemory);
  Observed observed;
  StorageWriter writer(harness.storage(), [](std::function<void()> done) { done(); },
                       /*sync=*/true, observer_into(observed));
  for (const Status& status : write_blobs(writer, 3, Sync::kNo)) EXPECT_TRUE(status.is_ok());
  EXPECT_EQ(harness.unsynced_batch_count(), 3u) << "done, written, not yet durable";
  {
    std::lock_guard lock(observed.mutex);
    for (const auto& [commit, sync] : observed.commits) EXPECT_EQ(sync, 0) << "no sync asked";
  }
  for (const Status& status : write_blobs(writer, 1, Sync::kYes)) EXPECT_TRUE(status.is_ok());
  writer.stop();
  EXPECT_EQ(harness.unsynced_batch_count(), 0u) << "the sync covered the earlier batches";
}

}  // namespace
}  // namespace quokka::server
