#include "storage/rocksdb_kv_store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/snapshot.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

#include "common/assert.h"
#include "storage/record_codec.h"

namespace quokka {

namespace {

// Column family names, indexed by KeySpace. The meta space is RocksDB's
// default family, which always exists.
constexpr std::array<const char*, kKeySpaceCount> kFamilyNames = {
    "default", "blobs", "blob_refs", "unreferenced", "pointers", "log"};
// Not a KeySpace: the records of the blobs kept in value files.
constexpr const char* kValueFilesFamilyName = "value_files";
constexpr std::string_view kValueFilesDirectory = "values";

// RocksDB failures are expected operating errors (a full or failing disk),
// so they become Statuses; what to do about them is the caller's decision.
Status to_status(const rocksdb::Status& status, std::string_view doing) {
  if (status.ok()) return Status::ok();
  if (status.IsNoSpace()) {
    return Status(ErrorCode::kNoSpace,
                  fmt::format("{}: disk full: {}", doing, status.ToString()));
  }
  return Status(ErrorCode::kCorrupt,
                fmt::format("{}: storage error: {}", doing, status.ToString()));
}

rocksdb::Slice slice(std::string_view text) {
  return rocksdb::Slice(text.data(), text.size());
}

Result<std::vector<KvPair>> scan_with(rocksdb::DB* db,
                                      rocksdb::ColumnFamilyHandle* family,
                                      const rocksdb::Snapshot* snapshot,
                                      std::string_view start,
                                      std::string_view end, size_t limit) {
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  // Key order across the whole space, also where the memtable is hashed by
  // key prefix (hashed_by_prefix) or unsorted (written_only).
  read_options.total_order_seek = true;
  rocksdb::Slice upper = slice(end);
  if (!end.empty()) read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, family));
  std::vector<KvPair> pairs;
  for (it->Seek(slice(start)); it->Valid() && pairs.size() < limit; it->Next()) {
    pairs.push_back(KvPair{it->key().ToString(), it->value().ToString()});
  }
  Status status = to_status(it->status(), "scan");
  if (!status.is_ok()) return status;
  return pairs;
}

// Values are named by their SHA-256, which Storage checks on every read; a
// CRC32C of the same bytes on top (RocksDB's blob file checksum, computed
// here without SSE4.2 by the distribution's portable build) costs more than
// the hash for a large value and finds nothing the hash would miss.
bool verified_above(KeySpace space) { return space == KeySpace::kBlobs; }

// The value space, keyed by SHA-256 and read by point lookups: its keys are
// uniformly random, so every insert into a memtable skip list is a walk of
// some twenty cache-missing levels. Hashing the memtable by the key's first
// bytes makes an insert or a lookup one bucket's short list; a scan (rare
// here: a test) sorts the memtable first, and so does each flush, by
// inserting every entry into a skip list.
bool hashed_by_prefix(KeySpace space) { return space == KeySpace::kBlobs; }

// The reference space, also keyed by SHA-256, is written and never looked
// up (read only by the scan at open, bench/NOTES.md §22): its memtable is
// an unsorted vector, where an insert is an append and a flush one sort,
// instead of a hashed memtable's re-insertion of every entry (§23). A point
// lookup there would copy and sort the whole memtable.
bool written_only(KeySpace space) { return space == KeySpace::kBlobRefs; }

// The spaces whose point lookups miss most files: the apply reads the
// pointer of a key written for the first time, and a value read back lives
// in one file of many. Without a filter, each such lookup reads a block of
// every file of the space once its memtables have been flushed
// (bench/NOTES.md §21). The reference space has no point lookups: it is
// read only by the scan at open (§22).
bool looked_up_absent(KeySpace space) {
  return space == KeySpace::kBlobs || space == KeySpace::kPointers;
}

// About 1% false positives, 1.25 bytes per key in each file's filter.
constexpr double kFilterBitsPerKey = 10;

// A value's id is 32 random bytes: 8 spread keys over buckets as well as 32.
constexpr size_t kHashedPrefixBytes = 8;

// About one bucket per memtable entry of a small value's size; the bucket
// array lives in the memtable's own memory, so a small memtable (in tests)
// gets a small array.
size_t memtable_buckets(uint64_t write_buffer_bytes) {
  return static_cast<size_t>(std::clamp<uint64_t>(write_buffer_bytes / 256, 1024, 1u << 18));
}

Result<std::optional<std::string>> get_with(rocksdb::DB* db,
                                            rocksdb::ColumnFamilyHandle* family,
                                            const rocksdb::Snapshot* snapshot,
                                            KeySpace space, std::string_view key) {
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  read_options.verify_checksums = !verified_above(space);
  std::string value;
  rocksdb::Status status = db->Get(read_options, family, slice(key), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return to_status(status, "get");
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<std::string>> last_key_with(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
    const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  read_options.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, family));
  it->SeekToLast();
  Status status = to_status(it->status(), "seek to last key");
  if (!status.is_ok()) return status;
  if (!it->Valid()) return std::optional<std::string>();
  return std::optional<std::string>(it->key().ToString());
}

// A value file's record: its size, as the store's other fixed-width fields.
std::string encode_size(uint64_t size) {
  std::string bytes;
  record_codec::put_u64(bytes, size);
  return bytes;
}

Result<uint64_t> decode_size(std::string_view bytes) {
  if (bytes.size() != 8) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("value file record of {} bytes, expected 8", bytes.size()));
  }
  return record_codec::get_u64(bytes);
}

}  // namespace

// The families and the value files a read needs, at one snapshot (nullptr:
// the latest state).
struct ReadPlace {
  rocksdb::DB* db;
  const std::array<rocksdb::ColumnFamilyHandle*, kKeySpaceCount>* families;
  rocksdb::ColumnFamilyHandle* value_files_family;
  const ValueFiles* value_files;
  const rocksdb::Snapshot* snapshot;

  rocksdb::ColumnFamilyHandle* family(KeySpace space) const {
    return (*families)[static_cast<size_t>(space)];
  }

  Result<std::optional<uint64_t>> file_size(std::string_view key) const {
    // Read as metadata (kMeta): with RocksDB's checksum, unlike values.
    auto record = get_with(db, value_files_family, snapshot, KeySpace::kMeta, key);
    if (!record) return record.status();
    if (!record->has_value()) return std::optional<uint64_t>();
    auto size = decode_size(**record);
    if (!size) return size.status();
    return std::optional<uint64_t>(*size);
  }

  Result<std::optional<std::string>> file_value(std::string_view key, uint64_t size) const {
    auto bytes = value_files->read(key, size);
    if (!bytes || bytes->has_value()) return bytes;
    // Gone: deleted since its record was read (files go after their
    // records), unless the record is still there.
    auto still = file_size(key);
    if (!still) return still.status();
    if (still->has_value() && snapshot == nullptr) {
      // Deleted and written again between the two reads: the new file is
      // in place before its record.
      auto again = value_files->read(key, **still);
      if (!again || again->has_value()) return again;
    }
    if (still->has_value() || snapshot != nullptr) {
      return Status(ErrorCode::kCorrupt,
                    fmt::format("the value file of a recorded {}-byte value is missing from {}",
                                size, value_files->directory()));
    }
    return std::optional<std::string>();
  }

  Result<std::optional<std::string>> get(KeySpace space, std::string_view key) const {
    auto held = get_with(db, family(space), snapshot, space, key);
    if (space != KeySpace::kBlobs || !held || held->has_value()) return held;
    auto size = file_size(key);
    if (!size) return size.status();
    if (!size->has_value()) return std::optional<std::string>();
    return file_value(key, **size);
  }

  Result<std::vector<KvPair>> scan(KeySpace space, std::string_view start,
                                   std::string_view end, size_t limit) const {
    auto held = scan_with(db, family(space), snapshot, start, end, limit);
    if (space != KeySpace::kBlobs || !held) return held;
    auto records = scan_with(db, value_files_family, snapshot, start, end, limit);
    if (!records) return records.status();
    if (records->empty()) return held;
    // Both ranges are ascending and disjoint in keys: merge, then read the
    // files of the records that made the cut.
    std::vector<KvPair> merged;
    merged.reserve(held->size() + records->size());
    std::vector<bool> is_file;
    auto a = held->begin();
    auto b = records->begin();
    while (merged.size() < limit && (a != held->end() || b != records->end())) {
      const bool take_file = a == held->end() || (b != records->end() && b->key < a->key);
      merged.push_back(std::move(take_file ? *b++ : *a++));
      is_file.push_back(take_file);
    }
    std::vector<KvPair> pairs;
    pairs.reserve(merged.size());
    for (size_t i = 0; i < merged.size(); ++i) {
      if (is_file[i]) {
        auto size = decode_size(merged[i].value);
        if (!size) return size.status();
        auto bytes = file_value(merged[i].key, *size);
        if (!bytes) return bytes.status();
        // Gone with its record since the scan read it: deleted meanwhile.
        if (!bytes->has_value()) continue;
        merged[i].value = std::move(**bytes);
      }
      pairs.push_back(std::move(merged[i]));
    }
    return pairs;
  }

  Result<std::optional<std::string>> last_key(KeySpace space) const {
    auto held = last_key_with(db, family(space), snapshot);
    if (space != KeySpace::kBlobs || !held) return held;
    auto recorded = last_key_with(db, value_files_family, snapshot);
    if (!recorded) return recorded.status();
    if (!recorded->has_value()) return held;
    if (!held->has_value() || **held < **recorded) return recorded;
    return held;
  }
};

namespace {

// A point-in-time view over a RocksDB snapshot.
class RocksDbKvView final : public KvReader {
 public:
  RocksDbKvView(ReadPlace place, ValueFiles& value_files)
      : value_files_(value_files), ticket_(value_files.view_opened()), place_(place) {
    // After view_opened: a file retired from now on outlives this view.
    place_.snapshot = place_.db->GetSnapshot();
  }
  ~RocksDbKvView() override {
    place_.db->ReleaseSnapshot(place_.snapshot);
    value_files_.view_closed(ticket_);
  }

  Result<std::optional<std::string>> get(KeySpace space,
                                         std::string_view key) const override {
    return place_.get(space, key);
  }
  Result<std::vector<KvPair>> scan(KeySpace space, std::string_view start,
                                   std::string_view end,
                                   size_t limit) const override {
    return place_.scan(space, start, end, limit);
  }
  Result<std::optional<std::string>> last_key(KeySpace space) const override {
    return place_.last_key(space);
  }

 private:
  ValueFiles& value_files_;
  uint64_t ticket_;
  ReadPlace place_;
};

// Value writes (puts and deletes) between two looks at the blob files'
// garbage.
constexpr uint64_t kValueChangesPerGarbageCheck = 32;

}  // namespace

Result<std::unique_ptr<RocksDbKvStore>> RocksDbKvStore::open(
    const std::string& directory, const RocksDbOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  // Recover up to the last intact write batch when the log tail is torn.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Counters only: the write-stall time for metrics. Histograms and timers
  // would cost a clock read per operation.
  std::shared_ptr<rocksdb::Statistics> statistics = rocksdb::CreateDBStatistics();
  statistics->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  db_options.statistics = statistics;
  // A hashed memtable takes one writer at a time, and quokka writes one
  // batch at a time anyway (KvStore::write).
  db_options.allow_concurrent_memtable_write = false;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < kFamilyNames.size(); ++i) {
    rocksdb::ColumnFamilyOptions family_options;
    if (options.memtable_bytes > 0) family_options.write_buffer_size = options.memtable_bytes;
    if (looked_up_absent(static_cast<KeySpace>(i))) {
      rocksdb::BlockBasedTableOptions table;
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kFilterBitsPerKey));
      family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    }
    if (written_only(static_cast<KeySpace>(i))) {
      family_options.memtable_factory.reset(new rocksdb::VectorRepFactory());
    }
    if (hashed_by_prefix(static_cast<KeySpace>(i))) {
      family_options.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kHashedPrefixBytes));
      family_options.memtable_factory.reset(rocksdb::NewHashSkipListRepFactory(
          memtable_buckets(family_options.write_buffer_size)));
    }
    if (static_cast<KeySpace>(i) == KeySpace::kBlobs) {
      family_options.enable_blob_files = true;
      family_options.min_blob_size = options.blob_file_value_bytes_min;
      // Off until there is garbage to reclaim (steer_value_collection);
      // then compactions aim at the oldest files once half of them is.
      family_options.enable_blob_garbage_collection = false;
      family_options.blob_garbage_collection_force_threshold = 0.5;
    }
    descriptors.emplace_back(kFamilyNames[i], family_options);
  }

  descriptors.emplace_back(kValueFilesFamilyName, rocksdb::ColumnFamilyOptions());
  if (options.memtable_bytes > 0) {
    descriptors.back().options.write_buffer_size = options.memtable_bytes;
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(db_options, directory, descriptors, &handles, &db);
  if (!status.ok()) {
    return to_status(status, fmt::format("opening {}", directory));
  }
  QUOKKA_ASSERT(handles.size() == descriptors.size(),
                "RocksDB opened {} column families, asked for {}",
                handles.size(), descriptors.size());

  std::unique_ptr<RocksDbKvStore> store(new RocksDbKvStore());
  store->directory_ = directory;
  store->db_.reset(db);
  store->statistics_ = std::move(statistics);
  for (size_t i = 0; i < kFamilyNames.size(); ++i) store->families_[i] = handles[i];
  store->value_files_family_ = handles.back();
  store->value_file_bytes_min_ = std::max<uint64_t>(options.value_file_bytes_min, 1);

  auto value_files =
      ValueFiles::open(fmt::format("{}/{}", directory, kValueFilesDirectory));
  if (!value_files) return value_files.status();
  store->value_files_ = std::move(*value_files);
  auto kept = store->value_files_->sweep(
      [&](std::string_view key) { return store->value_file_size(key); });
  if (!kept) return kept.status();
  store->value_file_count_ = kept->files;
  store->value_file_bytes_ = kept->bytes;
  store->steer_value_collection();
  return store;
}

RocksDbKvStore::~RocksDbKvStore() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle* handle : families_) {
    if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle);
  }
  if (value_files_family_ != nullptr) db_->DestroyColumnFamilyHandle(value_files_family_);
  db_->Close().PermitUncheckedError();
}

ReadPlace RocksDbKvStore::latest() const {
  return ReadPlace{db_.get(), &families_, value_files_family_, value_files_.get(), nullptr};
}

Result<std::optional<std::string>> RocksDbKvStore::get(
    KeySpace space, std::string_view key) const {
  return latest().get(space, key);
}

Result<std::vector<KvPair>> RocksDbKvStore::scan(KeySpace space,
                                                 std::string_view start,
                                                 std::string_view end,
                                                 size_t limit) const {
  return latest().scan(space, start, end, limit);
}

Result<std::optional<std::string>> RocksDbKvStore::last_key(
    KeySpace space) const {
  return latest().last_key(space);
}

Result<std::optional<uint64_t>> RocksDbKvStore::value_file_size(std::string_view key) const {
  return latest().file_size(key);
}

Status RocksDbKvStore::write(const std::vector<KvWrite>& writes, Sync sync) {
  if (writes.empty()) {
    if (sync == Sync::kNo) return Status::ok();
    // Only deletes written before the sync starts are durable after it.
    std::vector<std::pair<std::string, uint64_t>> deleted;
    {
      std::lock_guard lock(deleted_unsynced_mutex_);
      deleted.swap(deleted_unsynced_);
    }
    Status synced = to_status(db_->FlushWAL(/*sync=*/true), "syncing the log");
    if (synced.is_ok()) {
      retire(std::move(deleted));
    } else {
      std::lock_guard lock(deleted_unsynced_mutex_);
      deleted_unsynced_.insert(deleted_unsynced_.end(), deleted.begin(), deleted.end());
    }
    return synced;
  }
  // A sync running beside this write retires value files only after this
  // write has recorded any it writes again.
  std::unique_lock<std::mutex> value_files_lock(value_files_mutex_, std::defer_lock);
  if (std::any_of(writes.begin(), writes.end(),
                  [](const KvWrite& w) { return w.space == KeySpace::kBlobs; })) {
    value_files_lock.lock();
  }
  // What the batch does to value files, by key; a key's last write wins.
  struct FileChange {
    std::optional<uint64_t> before;  // the recorded size before the batch
    std::optional<uint64_t> after;
    std::string_view bytes;          // set when the batch writes the file
  };
  std::map<std::string, FileChange, std::less<>> file_changes;
  auto change_of = [&](std::string_view key) -> Result<FileChange*> {
    auto it = file_changes.find(key);
    if (it != file_changes.end()) return &it->second;
    auto size = value_file_size(key);
    if (!size) return size.status();
    FileChange& change = file_changes[std::string(key)];
    change.before = change.after = *size;
    return &change;
  };
  auto delete_file = [&](std::string_view key, rocksdb::WriteBatch& batch) -> Status {
    auto change = change_of(key);
    if (!change) return change.status();
    if (!(*change)->after) return Status::ok();
    (*change)->after.reset();
    (*change)->bytes = {};
    return to_status(batch.Delete(value_files_family_, slice(key)), "building a write batch");
  };

  rocksdb::WriteBatch batch;
  for (const KvWrite& w : writes) {
    rocksdb::ColumnFamilyHandle* family =
        families_[static_cast<size_t>(w.space)];
    const bool blob = w.space == KeySpace::kBlobs;
    rocksdb::Status status;
    switch (w.kind) {
      case KvWrite::Kind::kPut:
        if (blob && w.value.size() >= value_file_bytes_min_) {
          auto change = change_of(w.key);
          if (!change) return change.status();
          // Stored already, or earlier in this batch: the key names the bytes.
          if ((*change)->after) continue;
          (*change)->after = w.value.size();
          (*change)->bytes = w.value;
          status = batch.Put(value_files_family_, slice(w.key), slice(encode_size(w.value.size())));
        } else {
          status = batch.Put(family, slice(w.key), slice(w.value));
        }
        break;
      case KvWrite::Kind::kDelete:
        if (blob) {
          Status deleted = delete_file(w.key, batch);
          if (!deleted.is_ok()) return deleted;
        }
        status = batch.Delete(family, slice(w.key));
        break;
      case KvWrite::Kind::kDeleteRange:
        if (blob && w.key < w.value) {
          std::vector<std::string> keys;
          for (const auto& [key, change] : file_changes) {
            if (key >= w.key && key < w.value) keys.push_back(key);
          }
          auto recorded = scan_with(db_.get(), value_files_family_, nullptr, w.key, w.value,
                                    std::numeric_limits<size_t>::max());
          if (!recorded) return recorded.status();
          for (const KvPair& pair : *recorded) keys.push_back(pair.key);
          for (const std::string& key : keys) {
            Status deleted = delete_file(key, batch);
            if (!deleted.is_ok()) return deleted;
          }
        }
        status = batch.DeleteRange(family, slice(w.key), slice(w.value));
        break;
    }
    if (!status.ok()) return to_status(status, "building a write batch");
  }

  // Files first, durable, then the records that name them.
  std::vector<ValueFiles::NewFile> new_files;
  std::vector<ValueFiles::NewFile> fresh_files;  // no earlier file of that name
  std::vector<std::pair<std::string, uint64_t>> deleted;
  for (const auto& [key, change] : file_changes) {
    if (change.after && !change.bytes.empty()) {
      new_files.push_back(ValueFiles::NewFile{key, change.bytes});
      if (!change.before) fresh_files.push_back(new_files.back());
      // A value deleted and written again: its file must stay.
      value_files_->keep(key);
      std::lock_guard lock(deleted_unsynced_mutex_);
      std::erase_if(deleted_unsynced_, [&](const auto& d) { return d.first == key; });
    }
    if (change.before && !change.after) deleted.emplace_back(key, *change.before);
  }
  Status files_written = value_files_->write_durably(new_files);
  if (!files_written.is_ok()) return files_written;

  rocksdb::WriteOptions write_options;
  write_options.sync = sync == Sync::kYes;
  // A failed write may still be in the log (a failed sync), so its files
  // stay; those no record names go at the next open.
  Status written = to_status(db_->Write(write_options, &batch), "write");
  if (!written.is_ok()) return written;
  for (const ValueFiles::NewFile& file : fresh_files) {
    ++value_file_count_;
    value_file_bytes_ += file.bytes.size();
  }
  for (const auto& [key, size] : deleted) {
    --value_file_count_;
    value_file_bytes_ -= size;
  }
  {
    std::lock_guard lock(deleted_unsynced_mutex_);
    deleted_unsynced_.insert(deleted_unsynced_.end(), deleted.begin(), deleted.end());
    if (sync == Sync::kYes) deleted.swap(deleted_unsynced_);
  }
  if (sync == Sync::kYes) retire_locked(std::move(deleted));

  for (const KvWrite& w : writes) {
    if (w.space == KeySpace::kBlobs) ++value_changes_unchecked_;
  }
  // Deletes make garbage (counted once a compaction drops them), new values
  // dilute it, and without writes no compaction runs that the setting could
  // steer: so look every few value writes of either kind. A look costs two
  // property reads; a switch, rare, rewrites RocksDB's options file.
  if (value_changes_unchecked_ >= kValueChangesPerGarbageCheck) {
    value_changes_unchecked_ = 0;
    steer_value_collection();
  }
  return written;
}

void RocksDbKvStore::retire(std::vector<std::pair<std::string, uint64_t>> deleted) {
  if (deleted.empty()) return;
  std::lock_guard lock(value_files_mutex_);
  retire_locked(std::move(deleted));
}

void RocksDbKvStore::retire_locked(std::vector<std::pair<std::string, uint64_t>> deleted) {
  std::vector<std::string> keys;
  keys.reserve(deleted.size());
  for (auto& [key, size] : deleted) {
    // Written again since its delete (a sync runs beside the writes): the
    // file is the new value's.
    auto recorded = value_file_size(key);
    if (!recorded || recorded->has_value()) continue;
    keys.push_back(std::move(key));
  }
  value_files_->retire(std::move(keys));
}

bool value_collection_wanted(bool on_now, uint64_t blob_file_bytes, uint64_t garbage_bytes) {
  if (blob_file_bytes == 0) return false;
  const double garbage = static_cast<double>(garbage_bytes) / static_cast<double>(blob_file_bytes);
  return on_now ? garbage >= 0.25 : garbage > 0.5;
}

void RocksDbKvStore::steer_value_collection() {
  rocksdb::ColumnFamilyHandle* blobs = families_[static_cast<size_t>(KeySpace::kBlobs)];
  uint64_t file_bytes = 0;
  uint64_t garbage_bytes = 0;
  if (!db_->GetIntProperty(blobs, "rocksdb.live-blob-file-size", &file_bytes) ||
      !db_->GetIntProperty(blobs, "rocksdb.live-blob-file-garbage-size", &garbage_bytes)) {
    return;
  }
  const bool on = value_collection_on_.load();
  const bool wanted = value_collection_wanted(on, file_bytes, garbage_bytes);
  if (wanted == on) return;
  rocksdb::Status status =
      db_->SetOptions(blobs, {{"enable_blob_garbage_collection", wanted ? "true" : "false"}});
  if (status.ok()) value_collection_on_.store(wanted);
}

std::unique_ptr<KvReader> RocksDbKvStore::read_view() const {
  return std::make_unique<RocksDbKvView>(latest(), *value_files_);
}

KvStoreStats RocksDbKvStore::stats() const {
  KvStoreStats stats;
  auto property = [&](rocksdb::ColumnFamilyHandle* family, const std::string& name) {
    uint64_t value = 0;
    return db_->GetIntProperty(family, name, &value) ? value : 0;
  };
  for (size_t i = 0; i < families_.size(); ++i) {
    rocksdb::ColumnFamilyHandle* family = families_[i];
    stats.keys[i] = property(family, rocksdb::DB::Properties::kEstimateNumKeys);
    // Live data only would need estimate-live-data-size, which leaves out
    // blob files; what the operator pays for is what the files take.
    stats.bytes[i] = property(family, rocksdb::DB::Properties::kTotalSstFilesSize) +
                     property(family, rocksdb::DB::Properties::kTotalBlobFileSize) +
                     property(family, rocksdb::DB::Properties::kCurSizeAllMemTables);
    stats.data_bytes += stats.bytes[i];
  }
  const size_t blobs = static_cast<size_t>(KeySpace::kBlobs);
  stats.keys[blobs] += value_file_count_.load();
  stats.bytes[blobs] += value_file_bytes_.load();
  stats.data_bytes += value_file_bytes_.load() +
                      property(value_files_family_, rocksdb::DB::Properties::kTotalSstFilesSize) +
                      property(value_files_family_, rocksdb::DB::Properties::kCurSizeAllMemTables);
  stats.write_stall_micros = statistics_->getTickerCount(rocksdb::STALL_MICROS);
  stats.lookups_filtered = statistics_->getTickerCount(rocksdb::BLOOM_FILTER_USEFUL);
  stats.value_garbage_bytes = property(families_[static_cast<size_t>(KeySpace::kBlobs)],
                                       "rocksdb.live-blob-file-garbage-size");
  stats.value_collection_on = value_collection_on_.load();
  return stats;
}

}  // namespace quokka
