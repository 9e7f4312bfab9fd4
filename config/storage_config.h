#pragma once

#include <cstdint>

namespace quokka {

// [storage]: durability and space.
struct StorageConfig {
  // fsync every group commit. false makes writes acknowledged before they
  // are on disk: a crash of a majority can lose acknowledged writes. Only
  // for benchmarks that measure everything but the disk.
  bool sync = true;
  // A blob whose reference count dropped to zero is kept this long, so a
  // reader that resolved an old pointer can still fetch the value.
  uint64_t blob_grace_ms = 60000;
  // Above this many bytes on disk writes fail with NO_SPACE; reads and
  // deletes still work so that an operator can make room.
  uint64_t space_quota_bytes = 8ULL * 1024 * 1024 * 1024;

  bool operator==(const StorageConfig&) const = default;
};

}  // namespace quokka
