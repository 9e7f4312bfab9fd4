#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "storage/storage.h"
#include "storage/write_batch.h"

namespace quokka::server {

// The storage thread (DESIGN.md "Threads"): writes the node's batches in
// order with group commit — everything queued while the previous sync ran
// goes into the next one, with one sync for all of them. Completions are
// handed back through `post`, which runs them on the node's thread.
class StorageWriter {
 public:
  using Post = std::function<void(std::function<void()>)>;

  // `sync` false skips the fsync (benchmarks of everything but the disk).
  // `observe` (optional) gets each group commit's duration in seconds, on
  // the storage thread.
  StorageWriter(Storage& storage, Post post, bool sync,
                std::function<void(double)> observe = {});
  ~StorageWriter();

  // Queues `batch`; `done` runs on the node's thread after it is durable,
  // in submission order. The queue is not bounded here: its producer (the
  // node's Readies) is bounded by the consensus core's flow control.
  void write(WriteBatch batch, std::function<void(Status)> done);

  // Finishes what is queued and stops the thread.
  void stop();

  uint64_t queue_depth() const;
  uint64_t group_commits() const;

 private:
  struct Pending {
    WriteBatch batch;
    std::function<void(Status)> done;
  };
  void run();

  Storage& storage_;
  Post post_;
  bool sync_;
  std::function<void(double)> observe_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  uint64_t group_commits_ = 0;
  std::thread thread_;
};

}  // namespace quokka::server
