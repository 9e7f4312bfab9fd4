#pragma once

#include <chrono>
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

  // What the storage thread measures, reported on the storage thread (each
  // member optional). A group commit writes its batches unsynced, then syncs
  // RocksDB's write-ahead log once, which makes all of them durable.
  struct Observer {
    // Each batch: seconds from write() until its group commit started.
    std::function<void(double)> waited;
    // Each group: the whole commit (every batch written, then the sync),
    // and the log sync alone (the WAL fsync; 0 when `sync` is off).
    std::function<void(double commit_seconds, double sync_seconds)> committed;
  };

  // `sync` false skips the fsync (benchmarks of everything but the disk).
  StorageWriter(Storage& storage, Post post, bool sync, Observer observer = {});
  ~StorageWriter();

  // Queues `batch`; `done` runs on the node's thread after it is written
  // (and, with Sync::kYes, durable), in submission order. A group syncs
  // once if any of its batches asks for it, which makes every batch before
  // it durable too. The queue is not bounded here: its producer (the
  // node's Readies) is bounded by the consensus core's flow control.
  void write(WriteBatch batch, Sync sync, std::function<void(Status)> done);

  // Finishes what is queued and stops the thread.
  void stop();

  uint64_t queue_depth() const;
  uint64_t group_commits() const;

 private:
  struct Pending {
    WriteBatch batch;
    Sync sync = Sync::kYes;
    std::function<void(Status)> done;
    std::chrono::steady_clock::time_point queued;
  };
  void run();

  Storage& storage_;
  Post post_;
  bool sync_;
  Observer observer_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  uint64_t group_commits_ = 0;
  std::thread thread_;
};

}  // namespace quokka::server
