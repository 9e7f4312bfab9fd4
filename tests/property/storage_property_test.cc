// Random sequences of write batches (blobs, pointers, node records, log and
// state changes), syncs, crashes, snapshots and snapshot restores, run
// against the RocksDB store and the in-memory twin; after every step each
// must show exactly the state of a plain model of the storage contract.
//
// QUOKKA_PROPERTY_CASES sets the number of sequences per backend (RapidCheck
// prints the seed of a failure; rerun it with RC_PARAMS="reproduce=...").
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "tests/property/storage_model.h"
#include "tests/support/storage_harness.h"

namespace quokka::testing {
namespace {

// One change of a batch, as small integers that RapidCheck can shrink; what
// they mean is decided against the state when the batch is built.
struct ChangeSpec {
  int kind = 0;
  int a = 0;
  int b = 0;
};

struct Step {
  enum Kind { kCommit = 0, kCrash = 1, kSnapshot = 2 };
  int kind = kCommit;
  std::vector<ChangeSpec> changes;
  bool sync = false;
  int crash_keep = 0;
};

const std::vector<std::string>& values() {
  static const std::vector<std::string> pool = {"", "v1", "v2",
                                                std::string(5000, 'x')};
  return pool;
}

const std::vector<std::string>& keys() {
  static const std::vector<std::string> pool = {"a", "b", "b/1", "c",
                                                std::string("\xff\x00", 2)};
  return pool;
}

// Node record names: ordinary ones, one spelled like a fixed meta key, and
// the extremes of "any bytes, 1 to 256 of them".
const std::vector<std::string>& record_names() {
  static const std::vector<std::string> pool = {
      "membership", "session/1", "session/2", "hard_state",
      std::string("\0\xff", 2), std::string(256, '\xff')};
  return pool;
}

// Names a batch must be refused for.
const std::vector<std::string>& bad_record_names() {
  static const std::vector<std::string> pool = {"", std::string(257, 'n')};
  return pool;
}

rc::Gen<ChangeSpec> change_spec() {
  return rc::gen::build<ChangeSpec>(
      rc::gen::set(&ChangeSpec::kind, rc::gen::inRange(0, 13)),
      rc::gen::set(&ChangeSpec::a, rc::gen::inRange(0, 6)),
      rc::gen::set(&ChangeSpec::b, rc::gen::inRange(0, 6)));
}

rc::Gen<Step> step() {
  return rc::gen::build<Step>(
      rc::gen::set(&Step::kind,
                   rc::gen::weightedElement<int>(
                       {{10, Step::kCommit}, {2, Step::kCrash},
                        {1, Step::kSnapshot}})),
      rc::gen::set(&Step::changes,
                   rc::gen::mapcat(rc::gen::inRange(1, 5), [](int n) {
                     return rc::gen::container<std::vector<ChangeSpec>>(
                         n, change_spec());
                   })),
      rc::gen::set(&Step::sync, rc::gen::arbitrary<bool>()),
      rc::gen::set(&Step::crash_keep, rc::gen::inRange(0, 4)));
}

class Runner {
 public:
  explicit Runner(Backend backend) : harness_(backend) {}

  void run(const std::vector<Step>& steps) {
    for (const Step& s : steps) {
      now_ms_ += 10;
      switch (s.kind) {
        case Step::kCommit: commit(s); break;
        case Step::kCrash: crash(s.crash_keep); break;
        case Step::kSnapshot: snapshot(); break;
      }
      observe();
    }
  }

 private:
  WriteBatch build_batch(const Step& s) {
    WriteBatch batch;
    uint64_t planned_last = model_.last_index();
    uint64_t term = 1 + now_ms_ / 100;
    for (const ChangeSpec& c : s.changes) {
      const std::string& value = values()[c.a % values().size()];
      BlobId id = BlobId::of(value);
      const std::string& key = keys()[c.a % keys().size()];
      // Mostly good record names; now and then one that refuses the batch.
      const std::string& name =
          c.b == 5 && c.a < 2 ? bad_record_names()[c.a]
                              : record_names()[c.a % record_names().size()];
      switch (c.kind) {
        case 0: batch.put_blob(value, now_ms_); break;
        // A pointer at the value this change names (maybe not stored:
        // refused), and one moved away from whatever it named.
        case 1:
          batch.put_pointer(keys()[c.b % keys().size()],
                            PointerRecord{id, value.size(), Revision(now_ms_),
                                          Revision(now_ms_), 1},
                            now_ms_);
          break;
        case 2: batch.delete_pointer(keys()[c.b % keys().size()], now_ms_); break;
        case 3:
          batch.delete_blob_if_unreferenced(id, now_ms_ - 10 * c.b);
          break;
        case 4: {
          const std::string& target = values()[c.b % values().size()];
          batch.put_pointer(key, PointerRecord{BlobId::of(target), target.size(),
                                               Revision(now_ms_),
                                               Revision(now_ms_ + c.b),
                                               static_cast<uint64_t>(c.a)},
                            now_ms_);
          break;
        }
        case 5: batch.delete_pointer(key, now_ms_); break;
        case 6:
          batch.set_applied_state(AppliedState{LogIndex(now_ms_ + c.a),
                                               Term(c.b), Revision(now_ms_)});
          break;
        case 7: {
          // Mostly valid appends: from a little before the end to just
          // past it (a gap, refused).
          int64_t first = static_cast<int64_t>(planned_last) + 1 - (c.a % 4) +
                          (c.b == 5 ? 2 : 0);
          if (first < 1) first = 1;
          std::vector<LogEntry> entries;
          for (int i = 0; i <= c.b % 3; ++i) {
            uint64_t index = static_cast<uint64_t>(first) + i;
            entries.push_back(LogEntry{
                LogIndex(index), Term(term),
                c.b % 2 == 0 ? EntryType::kNormal : EntryType::kConfChange,
                "entry-" + std::to_string(index) + "@" +
                    std::to_string(now_ms_)});
          }
          planned_last = entries.back().index.value();
          batch.append_log_entries(std::move(entries));
          break;
        }
        case 8: {
          uint64_t back = static_cast<uint64_t>(c.a % 4);
          uint64_t through = planned_last > back ? planned_last - back : 0;
          if (c.b == 5) through = planned_last + 1;  // past the end: refused
          batch.compact_log_through(LogIndex(through));
          break;
        }
        case 9:
          batch.set_hard_state(
              HardState{Term(term), NodeId(c.a), LogIndex(now_ms_ / 10)});
          break;
        case 10:
          if (!snapshots_.empty()) {
            StateSnapshot snapshot = snapshots_[c.a % snapshots_.size()];
            // Now and then a snapshot whose records are out of order: the
            // restore, and so the batch, must be refused.
            if (c.b == 5) {
              snapshot.node_records.push_back(KvPair{"a", "out of order"});
              snapshot.node_records.push_back(KvPair{"a", "duplicate"});
            }
            batch.restore_snapshot(std::move(snapshot), now_ms_);
          }
          break;
        case 11:
          batch.put_node_record(
              name, c.b == 0 ? "" : "v" + std::to_string(now_ms_ + c.b));
          break;
        case 12: batch.delete_node_record(name); break;
      }
    }
    return batch;
  }

  void commit(const Step& s) {
    WriteBatch batch = build_batch(s);
    bool memory = harness_.backend() == Backend::kMemory;
    size_t unsynced_before = memory ? harness_.unsynced_batch_count() : 0;
    StorageModel before = model_;
    ErrorCode expected = model_.commit(batch);
    Sync sync = s.sync ? Sync::kYes : Sync::kNo;
    Status actual = harness_.storage().commit(batch, sync);
    RC_ASSERT(actual.code() == expected);
    if (expected != ErrorCode::kOk) return;
    if (sync == Sync::kYes) {
      durable_ = model_;
      unsynced_.clear();
    } else if (memory && harness_.unsynced_batch_count() > unsynced_before) {
      unsynced_.push_back(model_);
    } else if (memory) {
      // A batch that wrote nothing cannot have changed anything.
      RC_ASSERT(model_.snapshot() == before.snapshot());
      RC_ASSERT(model_.last_index() == before.last_index());
    }
  }

  void crash(int keep) {
    if (harness_.backend() == Backend::kRocksDb) {
      harness_.reopen();  // a process restart loses nothing
      return;
    }
    size_t kept = static_cast<size_t>(keep) % (unsynced_.size() + 1);
    RC_ASSERT(harness_.unsynced_batch_count() == unsynced_.size());
    harness_.crash_and_reopen(kept);
    model_ = kept == 0 ? durable_ : unsynced_[kept - 1];
    durable_ = model_;
    unsynced_.clear();
  }

  void snapshot() {
    auto taken = harness_.storage().create_snapshot();
    RC_ASSERT(taken.is_ok());
    RC_ASSERT(*taken == model_.snapshot());
    snapshots_.push_back(*taken);
  }

  void observe() {
    Storage& storage = harness_.storage();
    for (const std::string& value : values()) {
      BlobId id = BlobId::of(value);
      bool stored = model_.blobs.contains(id);
      RC_ASSERT(*storage.has_blob(id) == stored);
      auto read = storage.get_blob(id);
      auto count = storage.blob_reference_count(id);
      if (stored) {
        RC_ASSERT(read.is_ok());
        RC_ASSERT(*read == value);
        RC_ASSERT(*count == model_.refs.at(id).count);
      } else {
        RC_ASSERT(read.status().code() == ErrorCode::kNotFound);
        RC_ASSERT(count.status().code() == ErrorCode::kNotFound);
      }
    }
    RC_ASSERT(*storage.unreferenced_blobs(UINT64_MAX, 100) ==
              model_.unreferenced());

    auto page = storage.range_pointers("", "", 100);
    RC_ASSERT(page.is_ok());
    RC_ASSERT(page->pointers == model_.snapshot().pointers);

    for (const std::string& name : record_names()) {
      auto record = storage.get_node_record(name);
      RC_ASSERT(record.is_ok());
      auto expected = model_.node_records.find(name);
      if (expected == model_.node_records.end()) {
        RC_ASSERT(!record->has_value());
      } else {
        RC_ASSERT(*record == std::optional<std::string>(expected->second));
      }
    }
    for (std::string prefix : {"", "session/", "\xff"}) {
      auto records = storage.node_records(prefix, 100);
      RC_ASSERT(records.is_ok());
      RC_ASSERT(*records == model_.records_with_prefix(prefix));
    }

    RC_ASSERT(storage.first_index().value() == model_.first_index());
    RC_ASSERT(storage.last_index().value() == model_.last_index());
    RC_ASSERT(storage.compacted_through() == model_.compacted);
    RC_ASSERT(storage.hard_state() == model_.hard_state);
    RC_ASSERT(storage.applied_state() == model_.applied);
    auto entries = storage.entries(storage.first_index(),
                                   LogIndex(model_.last_index() + 1),
                                   UINT64_MAX);
    RC_ASSERT(entries.is_ok());
    std::vector<LogEntry> expected;
    for (const auto& [index, entry] : model_.log) expected.push_back(entry);
    RC_ASSERT(*entries == expected);
    RC_ASSERT(*storage.term_at(LogIndex(model_.compacted.index)) ==
              model_.compacted.term);
  }

  StorageHarness harness_;
  StorageModel model_;
  StorageModel durable_;
  std::vector<StorageModel> unsynced_;
  std::vector<StateSnapshot> snapshots_;
  uint64_t now_ms_ = 1000;
};

RC_GTEST_PROP(StorageProperty, RocksDbMatchesTheModel, ()) {
  Runner(Backend::kRocksDb).run(*rc::gen::container<std::vector<Step>>(step()));
}

RC_GTEST_PROP(StorageProperty, MemoryTwinMatchesTheModelThroughCrashes, ()) {
  Runner(Backend::kMemory).run(*rc::gen::container<std::vector<Step>>(step()));
}

}  // namespace
}  // namespace quokka::testing
