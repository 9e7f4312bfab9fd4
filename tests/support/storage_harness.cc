#include "tests/support/storage_harness.h"

#include "common/assert.h"

namespace quokka::testing {

std::string backend_name(Backend backend) {
  return backend == Backend::kRocksDb ? "RocksDb" : "Memory";
}

StorageHarness::StorageHarness(Backend backend) : backend_(backend) {
  if (backend_ == Backend::kMemory) memory_ = std::make_shared<MemoryKvStore>();
  Status status = try_reopen();
  QUOKKA_ASSERT(status.is_ok(), "opening a new store: {}", status.to_string());
}

void StorageHarness::close() {
  storage_.reset();
  kv_.reset();
}

Status StorageHarness::try_reopen() {
  close();
  if (backend_ == Backend::kMemory) {
    kv_ = memory_;
  } else {
    auto opened = RocksDbKvStore::open((directory_.path() / "db").string());
    if (!opened) return opened.status();
    kv_ = std::shared_ptr<KvStore>(std::move(*opened));
  }
  auto storage = Storage::open(kv_);
  if (!storage) return storage.status();
  storage_ = std::move(*storage);
  return Status::ok();
}

void StorageHarness::reopen() {
  Status status = try_reopen();
  QUOKKA_ASSERT(status.is_ok(), "reopening: {}", status.to_string());
}

size_t StorageHarness::unsynced_batch_count() const {
  QUOKKA_ASSERT(backend_ == Backend::kMemory,
                "only the in-memory twin tracks unsynced batches");
  return memory_->unsynced_batch_count();
}

void StorageHarness::crash_and_reopen(size_t unsynced_batches_kept) {
  QUOKKA_ASSERT(backend_ == Backend::kMemory,
                "only the in-memory twin can simulate a machine crash");
  close();
  memory_->crash(unsynced_batches_kept);
  reopen();
}

}  // namespace quokka::testing
