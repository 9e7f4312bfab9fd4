#include "tests/property/storage_model.h"

#include <algorithm>
#include <set>
#include <utility>

namespace quokka::testing {

namespace {

// The contract's name rule, restated: 1 to 256 bytes.
bool valid_record_name(const std::string& name) {
  return !name.empty() && name.size() <= 256;
}

}  // namespace

ErrorCode StorageModel::commit(const WriteBatch& batch) {
  StorageModel attempt = *this;
  for (const WriteBatch::Change& change : batch.changes()) {
    ErrorCode code = attempt.apply(change);
    if (code != ErrorCode::kOk) return code;
  }
  *this = std::move(attempt);
  return ErrorCode::kOk;
}

void StorageModel::unreference(const BlobId& id, uint64_t now_ms) {
  BlobRef& ref = refs.at(id);
  ref.count -= 1;
  ref.unreferenced_since_ms = ref.count == 0 ? now_ms : 0;
}

ErrorCode StorageModel::apply(const WriteBatch::Change& change) {
  using W = WriteBatch;
  if (auto* put = std::get_if<W::PutBlob>(&change)) {
    if (!blobs.contains(put->id)) {
      blobs[put->id] = put->bytes;
      refs[put->id] = BlobRef{0, put->now_ms};
    } else if (refs[put->id].count == 0) {
      refs[put->id].unreferenced_since_ms =
          std::max(refs[put->id].unreferenced_since_ms, put->now_ms);
    }
  } else if (auto* erase = std::get_if<W::DeleteBlobIfUnreferenced>(&change)) {
    auto ref = refs.find(erase->id);
    if (ref != refs.end() && ref->second.count == 0 &&
        ref->second.unreferenced_since_ms < erase->unreferenced_before_ms) {
      refs.erase(ref);
      blobs.erase(erase->id);
    }
  } else if (auto* pointer = std::get_if<W::PutPointer>(&change)) {
    // A blob's count is the number of pointers naming it.
    if (!blobs.contains(pointer->record.value_hash)) return ErrorCode::kNotFound;
    refs[pointer->record.value_hash] = BlobRef{refs[pointer->record.value_hash].count + 1, 0};
    if (auto previous = pointers.find(pointer->key); previous != pointers.end()) {
      unreference(previous->second.value_hash, pointer->now_ms);
    }
    pointers[pointer->key] = pointer->record;
  } else if (auto* gone = std::get_if<W::DeletePointer>(&change)) {
    if (auto previous = pointers.find(gone->key); previous != pointers.end()) {
      unreference(previous->second.value_hash, gone->now_ms);
      pointers.erase(previous);
    }
  } else if (auto* set_applied = std::get_if<W::SetAppliedState>(&change)) {
    applied = set_applied->state;
  } else if (auto* set_hard = std::get_if<W::SetHardState>(&change)) {
    hard_state = set_hard->state;
  } else if (auto* put_record = std::get_if<W::PutNodeRecord>(&change)) {
    if (!valid_record_name(put_record->name)) {
      return ErrorCode::kInvalidArgument;
    }
    node_records[put_record->name] = put_record->value;
  } else if (auto* delete_record =
                 std::get_if<W::DeleteNodeRecord>(&change)) {
    if (!valid_record_name(delete_record->name)) {
      return ErrorCode::kInvalidArgument;
    }
    node_records.erase(delete_record->name);
  } else if (auto* append = std::get_if<W::AppendLogEntries>(&change)) {
    uint64_t first = append->entries.front().index.value();
    if (first < first_index() || first > last_index() + 1) {
      return ErrorCode::kInvalidArgument;
    }
    for (size_t i = 1; i < append->entries.size(); ++i) {
      if (append->entries[i].index.value() != first + i) {
        return ErrorCode::kInvalidArgument;
      }
      if (append->entries[i].term < append->entries[i - 1].term) {
        return ErrorCode::kInvalidArgument;
      }
    }
    log.erase(log.lower_bound(first), log.end());
    for (const LogEntry& entry : append->entries) log[entry.index.value()] = entry;
  } else if (auto* compact = std::get_if<W::CompactLogThrough>(&change)) {
    uint64_t through = compact->through.value();
    if (through <= compacted.index.value()) return ErrorCode::kOk;
    if (through > last_index()) return ErrorCode::kInvalidArgument;
    compacted = LogPosition{LogIndex(through), log.at(through).term};
    log.erase(log.begin(), log.upper_bound(through));
  } else if (auto* restore = std::get_if<W::RestoreSnapshot>(&change)) {
    const StateSnapshot& snap = restore->snapshot;
    for (size_t i = 0; i < snap.node_records.size(); ++i) {
      if (!valid_record_name(snap.node_records[i].key)) {
        return ErrorCode::kInvalidArgument;
      }
      if (i > 0 && snap.node_records[i - 1].key >= snap.node_records[i].key) {
        return ErrorCode::kInvalidArgument;
      }
    }
    std::map<BlobId, uint64_t> counts;
    for (const KeyPointer& p : snap.pointers) ++counts[p.record.value_hash];
    if (counts.size() != snap.blobs.size()) return ErrorCode::kInvalidArgument;
    for (const auto& [id, count] : counts) {
      if (!blobs.contains(id)) return ErrorCode::kNotFound;
    }
    pointers.clear();
    for (const KeyPointer& p : snap.pointers) pointers[p.key] = p.record;
    node_records.clear();
    for (const KvPair& r : snap.node_records) node_records[r.key] = r.value;
    for (auto& [id, ref] : refs) {
      auto count = counts.find(id);
      if (count != counts.end()) {
        ref = BlobRef{count->second, 0};
      } else if (ref.count != 0) {
        ref = BlobRef{0, restore->now_ms};
      }
    }
    log.clear();
    compacted = LogPosition{snap.applied.index, snap.applied.term};
    applied = snap.applied;
  }
  return ErrorCode::kOk;
}

StateSnapshot StorageModel::snapshot() const {
  StateSnapshot snap;
  snap.applied = applied;
  std::set<BlobId> referenced;
  for (const auto& [key, record] : pointers) {
    snap.pointers.push_back(KeyPointer{key, record});
    referenced.insert(record.value_hash);
  }
  snap.blobs.assign(referenced.begin(), referenced.end());
  snap.node_records = records_with_prefix("");
  return snap;
}

std::vector<KvPair> StorageModel::records_with_prefix(
    const std::string& prefix) const {
  std::vector<KvPair> records;
  for (const auto& [name, value] : node_records) {
    if (name.starts_with(prefix)) records.push_back(KvPair{name, value});
  }
  return records;
}

std::vector<BlobId> StorageModel::unreferenced() const {
  std::vector<std::pair<uint64_t, BlobId>> listed;
  for (const auto& [id, ref] : refs) {
    if (ref.count == 0) listed.emplace_back(ref.unreferenced_since_ms, id);
  }
  std::sort(listed.begin(), listed.end());
  std::vector<BlobId> ids;
  for (const auto& [since, id] : listed) ids.push_back(id);
  return ids;
}

}  // namespace quokka::testing
