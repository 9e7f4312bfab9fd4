#pragma once

#include <algorithm>
#include <array>
#include <string_view>

#include "storage/log_entry.h"
#include "storage/log_terms.h"
#include "storage/pointer_record.h"

namespace quokka {

// The small facts about a store that Storage keeps in memory and persists in
// the meta key space: log bounds, hard state and applied state; and the
// terms of the log's entries, which the log's records hold and which are
// read back from them when the store opens.
struct StorageState {
  LogPosition compacted_through;  // {0, 0} until the first compaction
  LogIndex last_index;            // == compacted_through.index when empty
  HardState hard_state;
  AppliedState applied;
  // Covers [first_index(), last_index].
  LogTerms log_terms;

  LogIndex first_index() const {
    return LogIndex(compacted_through.index.value() + 1);
  }
  bool operator==(const StorageState&) const = default;
};

// Keys of the meta key space: a few fixed keys, and the node records (see
// node_record_table.h), each under kNodeRecordPrefix followed by its name.
namespace meta_key {
inline constexpr std::string_view kFormatVersion = "format_version";
inline constexpr std::string_view kHardState = "hard_state";
inline constexpr std::string_view kAppliedState = "applied_state";
inline constexpr std::string_view kLogCompactedThrough = "log_compacted_through";

// Every fixed key; a new one must be listed here so the check below sees it.
inline constexpr std::array<std::string_view, 4> kFixedKeys = {
    kFormatVersion, kHardState, kAppliedState, kLogCompactedThrough};

inline constexpr std::string_view kNodeRecordPrefix = "node/";

// Fixed keys never contain '/', and the node record prefix ends in one, so no
// fixed key starts with the prefix: a node record, whatever its name, can
// neither overwrite a fixed key nor be listed as one, and replacing every
// node record (a snapshot restore) touches no fixed key.
static_assert(kNodeRecordPrefix.ends_with('/'));
static_assert(std::none_of(kFixedKeys.begin(), kFixedKeys.end(),
                           [](std::string_view key) {
                             return key.find('/') != std::string_view::npos;
                           }),
              "a fixed meta key must not contain '/'");
}  // namespace meta_key

}  // namespace quokka
