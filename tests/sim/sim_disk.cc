#include "tests/sim/sim_disk.h"

namespace quokka::sim {

Status SimDisk::open() {
  auto storage = Storage::open(kv_);
  if (!storage.is_ok()) return storage.status();
  storage_ = std::move(storage).value();
  return Status::ok();
}

void SimDisk::persist(WriteBatch batch, Sync sync, Done done) {
  QUOKKA_ASSERT(storage_ != nullptr, "persist on a closed disk");
  queue_.push_back(Pending{std::move(batch), sync, std::move(done)});
  if (!busy_) {
    busy_ = true;
    // The storage thread picks the queue up after the node's call returns.
    const uint64_t generation = generation_;
    scheduler_.after(random_.between(0, timing_.write_ms_max), [this, generation] {
      if (generation != generation_) return;
      start_group();
    });
  }
}

void SimDisk::start_group() {
  // Group commit: everything queued while the disk was busy goes in one sync.
  QUOKKA_ASSERT(syncing_.empty(), "a group started while another syncs");
  bool sync = false;
  while (!queue_.empty()) {
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    Status status = storage_->commit(pending.batch, Sync::kNo);
    sync = sync || pending.sync == Sync::kYes;
    syncing_.emplace_back(std::move(pending.done), std::move(status));
  }
  const uint64_t generation = generation_;
  if (!sync) {
    scheduler_.after(0, [this, generation] { finish_group(generation, false); });
    return;
  }
  const uint64_t sync_ms =
      slow_ ? random_.between(timing_.slow_sync_ms_min, timing_.slow_sync_ms_max)
            : random_.between(timing_.sync_ms_min, timing_.sync_ms_max);
  scheduler_.after(sync_ms, [this, generation] { finish_group(generation, true); });
}

void SimDisk::finish_group(uint64_t generation, bool sync) {
  if (generation != generation_) return;
  // An empty synced commit makes every earlier write durable.
  Status synced = sync ? storage_->commit(WriteBatch(), Sync::kYes) : Status::ok();
  std::vector<std::pair<Done, Status>> group = std::move(syncing_);
  syncing_.clear();
  batches_persisted_ += group.size();
  if (queue_.empty()) {
    busy_ = false;
  } else {
    scheduler_.after(random_.between(0, timing_.write_ms_max), [this, generation] {
      if (generation != generation_) return;
      start_group();
    });
  }
  for (auto& [done, status] : group) {
    done(status.is_ok() ? synced : status);
  }
}

SimDisk::CrashLoss SimDisk::crash() {
  ++generation_;
  queue_.clear();
  syncing_.clear();
  busy_ = false;
  storage_.reset();
  const size_t unsynced = kv_->unsynced_batch_count();
  const size_t kept = unsynced == 0 ? 0 : random_.between(0, unsynced);
  kv_->crash(kept);
  return CrashLoss{kept, unsynced - kept};
}

}  // namespace quokka::sim
