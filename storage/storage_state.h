#pragma once

#include <string_view>

#include "storage/log_entry.h"
#include "storage/pointer_record.h"

namespace quokka {

// The small facts about a store that Storage keeps in memory and persists in
// the meta key space: log bounds, hard state and applied state.
struct StorageState {
  LogPosition compacted_through;  // {0, 0} until the first compaction
  LogIndex last_index;            // == compacted_through.index when empty
  HardState hard_state;
  AppliedState applied;

  LogIndex first_index() const {
    return LogIndex(compacted_through.index.value() + 1);
  }
  bool operator==(const StorageState&) const = default;
};

// Keys of the meta key space.
namespace meta_key {
inline constexpr std::string_view kFormatVersion = "format_version";
inline constexpr std::string_view kHardState = "hard_state";
inline constexpr std::string_view kAppliedState = "applied_state";
inline constexpr std::string_view kLogCompactedThrough = "log_compacted_through";
}  // namespace meta_key

}  // namespace quokka
