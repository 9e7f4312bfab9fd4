#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/pointer_record.h"

namespace quokka {

// Read side of the mutable pointers (key -> value hash + revisions). Pointers
// change through a WriteBatch, together with the AppliedState they belong to.
//
// Thread safety: every method may be called from any thread, concurrently
// with commits; each call reads one consistent point in time.
class PointerTable {
 public:
  virtual ~PointerTable() = default;

  // The pointer under `key`, nullopt when the key does not exist.
  virtual Result<std::optional<PointerRecord>> get_pointer(
      std::string_view key) const = 0;

  // Pointers with keys in [start, end), ascending, at most `limit` of them
  // (limit >= 1). An empty `end` means no upper bound. `more` says whether
  // keys remain in the range after the page; continue from the last key
  // plus a zero byte.
  virtual Result<PointerPage> range_pointers(std::string_view start,
                                             std::string_view end,
                                             size_t limit) const = 0;

  // The log position and revision the pointer table reflects.
  virtual AppliedState applied_state() const = 0;
};

// The smallest key greater than every key that starts with `prefix`, for
// prefix scans as [prefix, prefix_end(prefix)). Empty (no upper bound) when
// no such key exists, that is when the prefix is empty or all 0xff bytes.
std::string prefix_end(std::string_view prefix);

}  // namespace quokka
