#include "storage/rocksdb_kv_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/snapshot.h>
#include <rocksdb/statistics.h>
#include <rocksdb/write_batch.h>

#include <fmt/format.h>

#include "common/assert.h"

namespace quokka {

namespace {

// Column family names, indexed by KeySpace. The meta space is RocksDB's
// default family, which always exists.
constexpr std::array<const char*, kKeySpaceCount> kFamilyNames = {
    "default", "blobs", "blob_refs", "unreferenced", "pointers", "log"};

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
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, family));
  it->SeekToLast();
  Status status = to_status(it->status(), "seek to last key");
  if (!status.is_ok()) return status;
  if (!it->Valid()) return std::optional<std::string>();
  return std::optional<std::string>(it->key().ToString());
}

// A point-in-time view over a RocksDB snapshot.
class RocksDbKvView final : public KvReader {
 public:
  RocksDbKvView(rocksdb::DB* db,
                const std::array<rocksdb::ColumnFamilyHandle*, kKeySpaceCount>&
                    families)
      : db_(db), families_(families), snapshot_(db->GetSnapshot()) {}
  ~RocksDbKvView() override { db_->ReleaseSnapshot(snapshot_); }

  Result<std::optional<std::string>> get(KeySpace space,
                                         std::string_view key) const override {
    return get_with(db_, family(space), snapshot_, space, key);
  }
  Result<std::vector<KvPair>> scan(KeySpace space, std::string_view start,
                                   std::string_view end,
                                   size_t limit) const override {
    return scan_with(db_, family(space), snapshot_, start, end, limit);
  }
  Result<std::optional<std::string>> last_key(KeySpace space) const override {
    return last_key_with(db_, family(space), snapshot_);
  }

 private:
  rocksdb::ColumnFamilyHandle* family(KeySpace space) const {
    return families_[static_cast<size_t>(space)];
  }

  rocksdb::DB* db_;
  std::array<rocksdb::ColumnFamilyHandle*, kKeySpaceCount> families_;
  const rocksdb::Snapshot* snapshot_;
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

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (size_t i = 0; i < kFamilyNames.size(); ++i) {
    rocksdb::ColumnFamilyOptions family_options;
    if (options.memtable_bytes > 0) family_options.write_buffer_size = options.memtable_bytes;
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

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(db_options, directory, descriptors, &handles, &db);
  if (!status.ok()) {
    return to_status(status, fmt::format("opening {}", directory));
  }
  QUOKKA_ASSERT(handles.size() == kFamilyNames.size(),
                "RocksDB opened {} column families, asked for {}",
                handles.size(), kFamilyNames.size());

  std::unique_ptr<RocksDbKvStore> store(new RocksDbKvStore());
  store->directory_ = directory;
  store->db_.reset(db);
  store->statistics_ = std::move(statistics);
  for (size_t i = 0; i < handles.size(); ++i) store->families_[i] = handles[i];
  store->steer_value_collection();
  return store;
}

RocksDbKvStore::~RocksDbKvStore() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle* handle : families_) {
    if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle);
  }
  db_->Close().PermitUncheckedError();
}

Result<std::optional<std::string>> RocksDbKvStore::get(
    KeySpace space, std::string_view key) const {
  return get_with(db_.get(), families_[static_cast<size_t>(space)], nullptr,
                  space, key);
}

Result<std::vector<KvPair>> RocksDbKvStore::scan(KeySpace space,
                                                 std::string_view start,
                                                 std::string_view end,
                                                 size_t limit) const {
  return scan_with(db_.get(), families_[static_cast<size_t>(space)], nullptr,
                   start, end, limit);
}

Result<std::optional<std::string>> RocksDbKvStore::last_key(
    KeySpace space) const {
  return last_key_with(db_.get(), families_[static_cast<size_t>(space)],
                       nullptr);
}

Status RocksDbKvStore::write(const std::vector<KvWrite>& writes, Sync sync) {
  if (writes.empty()) {
    if (sync == Sync::kNo) return Status::ok();
    return to_status(db_->FlushWAL(/*sync=*/true), "syncing the log");
  }
  rocksdb::WriteBatch batch;
  for (const KvWrite& w : writes) {
    rocksdb::ColumnFamilyHandle* family =
        families_[static_cast<size_t>(w.space)];
    rocksdb::Status status;
    switch (w.kind) {
      case KvWrite::Kind::kPut:
        status = batch.Put(family, slice(w.key), slice(w.value));
        break;
      case KvWrite::Kind::kDelete:
        status = batch.Delete(family, slice(w.key));
        break;
      case KvWrite::Kind::kDeleteRange:
        status = batch.DeleteRange(family, slice(w.key), slice(w.value));
        break;
    }
    if (!status.ok()) return to_status(status, "building a write batch");
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = sync == Sync::kYes;
  Status written = to_status(db_->Write(write_options, &batch), "write");
  if (!written.is_ok()) return written;
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
  return std::make_unique<RocksDbKvView>(db_.get(), families_);
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
  stats.write_stall_micros = statistics_->getTickerCount(rocksdb::STALL_MICROS);
  stats.value_garbage_bytes = property(families_[static_cast<size_t>(KeySpace::kBlobs)],
                                       "rocksdb.live-blob-file-garbage-size");
  stats.value_collection_on = value_collection_on_.load();
  return stats;
}

}  // namespace quokka
