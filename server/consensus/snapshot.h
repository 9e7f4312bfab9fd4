#pragma once

#include <string>

#include "server/consensus/conf_state.h"
#include "storage/log_entry.h"

namespace quokka::consensus {

// What a snapshot covers: every entry up to and including `last`, and the
// configuration in force after it.
struct SnapshotMetadata {
  LogPosition last;
  ConfState conf_state;
  bool operator==(const SnapshotMetadata&) const = default;
};

// A point-in-time image of the application's state. The core treats `data`
// as opaque; quokka's node puts a description of its pointer table in it,
// which names the blobs it references (the blobs themselves travel on their
// own path and are not part of the snapshot).
struct Snapshot {
  SnapshotMetadata metadata;
  std::string data;

  bool empty() const { return metadata.last.index == LogIndex(0); }
  bool operator==(const Snapshot&) const = default;
};

}  // namespace quokka::consensus
