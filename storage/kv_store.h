#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace quokka {

// The separate ordered key spaces of a node's store; RocksDB keeps each in a
// column family of its own, so each can be tuned (blobs go to blob files).
enum class KeySpace : uint8_t {
  kMeta = 0,          // format version, hard state, applied state, log start
  kBlobs = 1,         // blob id -> value bytes
  kBlobRefs = 2,      // blob id -> since when unreferenced (one per blob)
  kUnreferenced = 3,  // format 1's unreferenced index; emptied at open, unused
  kPointers = 4,      // key -> pointer record
  kLog = 5,           // big-endian index -> log entry
};
inline constexpr int kKeySpaceCount = 6;

// One mutation of a write batch. Mutations apply in order, so a put after a
// range deletion that covers its key survives.
struct KvWrite {
  enum class Kind : uint8_t { kPut, kDelete, kDeleteRange };
  Kind kind = Kind::kPut;
  KeySpace space = KeySpace::kMeta;
  std::string key;
  std::string value;  // kPut: the value; kDeleteRange: the exclusive end key
};

struct KvPair {
  std::string key;
  std::string value;
  bool operator==(const KvPair&) const = default;
};

// Whether a write must be on stable storage before commit returns.
enum class Sync : bool { kNo = false, kYes = true };

// What a store holds, for metrics: cheap to read (no scan), so estimates
// where the store only keeps estimates (RocksDB's key counts). Sizes count
// what the data occupies now: files on disk plus what is still in memory.
struct KvStoreStats {
  std::array<uint64_t, kKeySpaceCount> keys{};   // per KeySpace
  std::array<uint64_t, kKeySpaceCount> bytes{};  // per KeySpace
  // The whole store.
  uint64_t data_bytes = 0;
  // Time writes were delayed or stopped by the store itself (RocksDB's write
  // stalls, when compaction falls behind), since it was opened.
  uint64_t write_stall_micros = 0;
  // File reads a point lookup skipped because the file's filter said the
  // key is not there, since the store was opened.
  uint64_t lookups_filtered = 0;
  // Bytes of deleted values still in the files that hold values, and
  // whether the store is reclaiming them (RocksDB's blob garbage
  // collection, which it turns on only when there is enough to reclaim).
  uint64_t value_garbage_bytes = 0;
  bool value_collection_on = false;
};

// Read access to the key spaces. Implementations are safe to call from many
// threads at once, and concurrently with KvStore::write.
class KvReader {
 public:
  virtual ~KvReader() = default;

  // The value under `key`, nullopt when there is none.
  virtual Result<std::optional<std::string>> get(KeySpace space,
                                                 std::string_view key) const = 0;

  // Up to `limit` pairs with keys in [start, end), ascending, read at a single
  // point in time. An empty `end` means no upper bound.
  virtual Result<std::vector<KvPair>> scan(KeySpace space,
                                           std::string_view start,
                                           std::string_view end,
                                           size_t limit) const = 0;

  // The greatest key in the space, nullopt when the space is empty.
  virtual Result<std::optional<std::string>> last_key(KeySpace space) const = 0;
};

// The raw ordered byte store under quokka's storage: RocksDB in production,
// an in-memory twin in tests and the simulator.
class KvStore : public KvReader {
 public:
  // Applies `writes` atomically: after a crash either all of them are there
  // or none. With Sync::kYes they, and every write before them, are durable
  // when this returns; with Sync::kNo a crash of the machine may lose them
  // (never a later write without an earlier one). An empty `writes` with
  // Sync::kYes only makes the earlier writes durable. Callers make one
  // write at a time, except that such a sync may run during another write
  // (which it then may or may not cover).
  virtual Status write(const std::vector<KvWrite>& writes, Sync sync) = 0;

  // A consistent read-only view of the store as of this call.
  virtual std::unique_ptr<KvReader> read_view() const = 0;

  // Safe from any thread; costs no I/O.
  virtual KvStoreStats stats() const = 0;
};

}  // namespace quokka
