#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/blob_id.h"
#include "common/status.h"

namespace quokka {

// Read side of the immutable values, addressed by SHA-256. Blobs are added
// and deleted, and pointers set to them, through a WriteBatch
// (write_batch.h).
//
// Every stored blob has a reference count: the number of pointers naming
// it. A blob whose count is 0 is listed by
// unreferenced_blobs once its grace period is over, and may then be deleted.
// Times are the caller's milliseconds: storage keeps no clock, and nothing
// that decides correctness depends on them, only how soon space comes back.
//
// Thread safety: every method may be called from any thread, concurrently
// with commits.
class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // The value stored under `id`. NOT_FOUND when there is none; CORRUPT when
  // the stored bytes no longer hash to `id` (bad bytes are never returned).
  virtual Result<std::string> get_blob(const BlobId& id) const = 0;

  virtual Result<bool> has_blob(const BlobId& id) const = 0;

  // The blob's reference count; NOT_FOUND when the blob is not stored.
  virtual Result<uint64_t> blob_reference_count(const BlobId& id) const = 0;

  // Up to `limit` blobs whose count has been 0 since before
  // `unreferenced_before_ms`, longest-unreferenced first.
  virtual Result<std::vector<BlobId>> unreferenced_blobs(
      uint64_t unreferenced_before_ms, size_t limit) const = 0;
};

}  // namespace quokka
