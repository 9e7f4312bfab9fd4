#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "common/deterministic_random.h"
#include "common/status.h"
#include "storage/memory_kv_store.h"
#include "storage/storage.h"
#include "storage/write_batch.h"
#include "tests/sim/scheduler.h"

namespace quokka::sim {

// Latencies of the simulated disk, in simulated milliseconds.
struct DiskTiming {
  uint64_t write_ms_max = 2;
  uint64_t sync_ms_min = 1;
  uint64_t sync_ms_max = 8;
  // Slow-disk mode (etcd's most reported production problem): a sync takes
  // up to this long.
  uint64_t slow_sync_ms_min = 200;
  uint64_t slow_sync_ms_max = 3000;
};

// One node's disk: a MemoryKvStore that outlives the process, the Storage
// the process opened on it, and a queue that completes Env::persist calls
// after a simulated latency, the way quokkad's storage thread group-commits.
//
// When the disk is free it takes every queued batch, writes each one
// (Sync::kNo: in the page cache, visible to reads, lost by a crash), then
// after the sync latency syncs them all at once and runs their callbacks in
// order. A crash during that window keeps a random prefix of the written
// batches, as a machine whose page cache wrote some back would.
class SimDisk {
 public:
  using Done = std::function<void(Status)>;

  SimDisk(Scheduler& scheduler, DeterministicRandom& random, DiskTiming timing)
      : scheduler_(scheduler), random_(random), timing_(timing),
        kv_(std::make_shared<MemoryKvStore>()) {}

  // Opens Storage over the store (after a crash: over what survived it).
  Status open();
  Storage& storage() { return *storage_; }
  bool is_open() const { return storage_ != nullptr; }

  // A group syncs if any of its batches asks for it; a group of batches that
  // ask none completes once written, and its writes stay unsynced (a crash
  // may lose them) until a later sync.
  void persist(WriteBatch batch, Sync sync, Done done);

  // The process died: queued and unsynced batches are forgotten (their
  // callbacks never run), Storage is closed, and the store loses unsynced
  // writes except a random prefix. Returns how many unsynced batches the
  // crash kept, and how many it lost.
  struct CrashLoss {
    size_t kept = 0;
    size_t lost = 0;
  };
  CrashLoss crash();

  void set_slow(bool slow) { slow_ = slow; }
  bool slow() const { return slow_; }

  uint64_t batches_persisted() const { return batches_persisted_; }

 private:
  struct Pending {
    WriteBatch batch;
    Sync sync = Sync::kYes;
    Done done;
  };

  void start_group();
  void finish_group(uint64_t generation, bool sync);

  Scheduler& scheduler_;
  DeterministicRandom& random_;
  DiskTiming timing_;
  std::shared_ptr<MemoryKvStore> kv_;
  std::unique_ptr<Storage> storage_;
  bool slow_ = false;
  // Batches waiting for the disk.
  std::deque<Pending> queue_;
  // Callbacks (and write results) of the group being synced.
  std::vector<std::pair<Done, Status>> syncing_;
  bool busy_ = false;
  // Bumped by a crash, so that a sync scheduled before it does nothing.
  uint64_t generation_ = 0;
  uint64_t batches_persisted_ = 0;
};

}  // namespace quokka::sim
