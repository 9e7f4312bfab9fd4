// Storage micro-benchmarks: blob put and get, and pointer updates, at 64 B,
// 4 KiB and 1 MiB, on RocksDB and on the in-memory twin. Synced writes are
// measured separately because an fsync dominates everything else.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "common/assert.h"
#include "storage/memory_kv_store.h"
#include "storage/storage.h"
#include "tests/support/temp_directory.h"

namespace quokka {
namespace {

enum class Kind { kRocksDb, kMemory };

struct OpenStore {
  std::unique_ptr<testing::TempDirectory> directory;
  std::unique_ptr<Storage> storage;
};

OpenStore open_store(Kind kind) {
  OpenStore store;
  if (kind == Kind::kRocksDb) {
    store.directory = std::make_unique<testing::TempDirectory>();
    auto opened = Storage::open_rocksdb(store.directory->string() + "/db");
    QUOKKA_ASSERT(opened.is_ok(), "{}", opened.status().to_string());
    store.storage = std::move(*opened);
  } else {
    auto opened = Storage::open(std::make_shared<MemoryKvStore>());
    QUOKKA_ASSERT(opened.is_ok(), "{}", opened.status().to_string());
    store.storage = std::move(*opened);
  }
  return store;
}

// Distinct values of `size` bytes: the iteration number in front, so every
// put stores a new blob rather than hitting the idempotent path.
std::string value_of(size_t size, uint64_t n) {
  std::string value(size, 'v');
  std::string prefix = std::to_string(n);
  value.replace(0, std::min(prefix.size(), size), prefix, 0,
                std::min(prefix.size(), size));
  return value;
}

void BM_BlobPut(benchmark::State& state, Kind kind, Sync sync) {
  OpenStore store = open_store(kind);
  size_t size = static_cast<size_t>(state.range(0));
  uint64_t n = 0;
  for (auto _ : state) {
    auto id = store.storage->put_blob(value_of(size, n), n, sync);
    benchmark::DoNotOptimize(id);
    ++n;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

void BM_BlobGet(benchmark::State& state, Kind kind) {
  OpenStore store = open_store(kind);
  size_t size = static_cast<size_t>(state.range(0));
  constexpr uint64_t kBlobs = 64;
  std::vector<BlobId> ids;
  for (uint64_t i = 0; i < kBlobs; ++i) {
    ids.push_back(*store.storage->put_blob(value_of(size, i), 1, Sync::kNo));
  }
  uint64_t n = 0;
  for (auto _ : state) {
    auto value = store.storage->get_blob(ids[n++ % kBlobs]);
    QUOKKA_ASSERT(value.is_ok(), "{}", value.status().to_string());
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

// What applying one Put does to storage: store the blob, reference it,
// release the previous value, move the pointer and the applied state.
void BM_PointerUpdate(benchmark::State& state, Kind kind, Sync sync) {
  OpenStore store = open_store(kind);
  size_t size = static_cast<size_t>(state.range(0));
  constexpr uint64_t kKeys = 1000;
  uint64_t n = 0;
  for (auto _ : state) {
    uint64_t key = n % kKeys;
    WriteBatch batch;
    BlobId id = batch.put_blob(value_of(size, n), n);
    batch.put_pointer("key/" + std::to_string(key),
                      PointerRecord{id, size, Revision(n + 1), Revision(n + 1), 1}, n);
    batch.set_applied_state(AppliedState{LogIndex(n + 1), Term(1), Revision(n + 1)});
    Status status = store.storage->commit(batch, sync);
    QUOKKA_ASSERT(status.is_ok(), "{}", status.to_string());
    ++n;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(64)->Arg(4096)->Arg(1 << 20);
}

BENCHMARK_CAPTURE(BM_BlobPut, rocksdb, Kind::kRocksDb, Sync::kNo)->Apply(sizes);
BENCHMARK_CAPTURE(BM_BlobPut, rocksdb_sync, Kind::kRocksDb, Sync::kYes)->Apply(sizes);
BENCHMARK_CAPTURE(BM_BlobPut, memory, Kind::kMemory, Sync::kNo)->Apply(sizes);
BENCHMARK_CAPTURE(BM_BlobGet, rocksdb, Kind::kRocksDb)->Apply(sizes);
BENCHMARK_CAPTURE(BM_BlobGet, memory, Kind::kMemory)->Apply(sizes);
BENCHMARK_CAPTURE(BM_PointerUpdate, rocksdb, Kind::kRocksDb, Sync::kNo)->Apply(sizes);
BENCHMARK_CAPTURE(BM_PointerUpdate, rocksdb_sync, Kind::kRocksDb, Sync::kYes)->Apply(sizes);
BENCHMARK_CAPTURE(BM_PointerUpdate, memory, Kind::kMemory, Sync::kNo)->Apply(sizes);

}  // namespace
}  // namespace quokka

BENCHMARK_MAIN();
