#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/error_code.h"
#include "storage/state_snapshot.h"
#include "storage/write_batch.h"

namespace quokka::testing {

// A deliberately plain re-statement of Storage's contract (storage.h,
// write_batch.h) in ordinary containers: the oracle the property test holds
// the RocksDB store and the in-memory twin to. It shares no code with them.
struct StorageModel {
  struct BlobRef {
    uint64_t count = 0;
    uint64_t unreferenced_since_ms = 0;
  };

  std::map<BlobId, std::string> blobs;
  std::map<BlobId, BlobRef> refs;
  std::map<std::string, PointerRecord> pointers;
  std::map<std::string, std::string> node_records;
  std::map<uint64_t, LogEntry> log;
  LogPosition compacted;
  HardState hard_state;
  AppliedState applied;

  uint64_t last_index() const {
    return log.empty() ? compacted.index.value() : log.rbegin()->first;
  }
  uint64_t first_index() const { return compacted.index.value() + 1; }

  // Applies the batch all or nothing; returns the code Storage::commit must
  // return (kOk, or the code of the first refused change).
  ErrorCode commit(const WriteBatch& batch);

  StateSnapshot snapshot() const;
  // The node records whose names start with `prefix`, ascending by name.
  std::vector<KvPair> records_with_prefix(const std::string& prefix) const;
  // (since, id) of every unreferenced blob, longest-unreferenced first.
  std::vector<BlobId> unreferenced() const;

 private:
  ErrorCode apply(const WriteBatch::Change& change);
  void unreference(const BlobId& id, uint64_t now_ms);
};

}  // namespace quokka::testing
