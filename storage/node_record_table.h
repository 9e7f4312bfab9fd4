#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/kv_store.h"

namespace quokka {

// The longest node record name, in bytes. Names are short identifiers (a
// client id, "membership"); the limit keeps a bad caller from turning one
// into a large key.
inline constexpr size_t kNodeRecordNameBytesMax = 256;

// Read side of the node records: small named records that belong to the
// node's replicated state beside the pointers, such as the exactly-once
// session table (one record per client id) and the membership
// configuration. They change through a WriteBatch, in the same atomic write
// as the pointer changes and AppliedState of the entry that changed them, and
// they travel in a StateSnapshot.
//
// A name is 1 to kNodeRecordNameBytesMax bytes, any bytes; a value is any
// bytes, and storage does not interpret it. Storage keeps no other limit on
// values: the node keeps them small, as every snapshot carries them all.
//
// Durability is the batch's: a record is durable once the batch that wrote it
// (or a later one) was committed with Sync::kYes.
//
// Thread safety: every method may be called from any thread, concurrently
// with commits; each call reads one consistent point in time.
class NodeRecordTable {
 public:
  virtual ~NodeRecordTable() = default;

  // The value of the record `name`, nullopt when there is none.
  // INVALID_ARGUMENT, naming the limit and the size, when the name is empty
  // or longer than kNodeRecordNameBytesMax.
  virtual Result<std::optional<std::string>> get_node_record(
      std::string_view name) const = 0;

  // Up to `limit` records whose names start with `prefix` (empty: every
  // record), ascending by name; each KvPair's key is the record's name. To
  // read them all, pass a limit above the number there can be (SIZE_MAX
  // will do). INVALID_ARGUMENT when `limit` is 0.
  virtual Result<std::vector<KvPair>> node_records(std::string_view prefix,
                                                   size_t limit) const = 0;
};

// OK when `name` is a valid node record name; otherwise INVALID_ARGUMENT
// naming the limit and the name's size.
Status check_node_record_name(std::string_view name);

}  // namespace quokka
