#pragma once

#include <cstdint>

namespace quokka {

// What a node's store holds, for the storage gauges. Counts are RocksDB's
// estimates on disk (exact in the in-memory twin); cheap to read, so they
// are read when Prometheus scrapes.
struct StorageStats {
  // Keys with a pointer.
  uint64_t keys = 0;
  // Values stored (one reference-count record per value), and the bytes
  // their key space takes.
  uint64_t blobs = 0;
  uint64_t blob_bytes = 0;
  // Values no key references any more, waiting for their grace period and
  // the collector.
  uint64_t blobs_unreferenced = 0;
  // Everything the store takes: files on disk plus memtables.
  uint64_t data_bytes = 0;
  // Time the store itself held writes back (RocksDB write stalls).
  double write_stall_seconds = 0;
  // File reads that point lookups skipped thanks to the files' filters.
  uint64_t lookups_filtered = 0;
  // Deleted values' bytes still on disk, and whether they are reclaimed now.
  uint64_t value_garbage_bytes = 0;
  bool value_collection_on = false;
};

}  // namespace quokka
