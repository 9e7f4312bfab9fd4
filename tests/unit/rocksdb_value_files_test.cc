// Large values live in files of their own, each written once and recorded
// in RocksDB only once it is durable; a file goes when its record is
// durably deleted and no open view can still read it.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/blob_id.h"
#include "storage/rocksdb_kv_store.h"
#include "storage/value_files.h"
#include "tests/support/temp_directory.h"

namespace quokka::testing {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kFileMin = 64 * 1024;

std::string large_value(char fill) { return std::string(kFileMin + 1000, fill); }

std::string key_of(const std::string& bytes) { return std::string(BlobId::of(bytes).bytes()); }

KvWrite put(const std::string& bytes) {
  return KvWrite{KvWrite::Kind::kPut, KeySpace::kBlobs, key_of(bytes), bytes};
}

KvWrite erase(const std::string& bytes) {
  return KvWrite{KvWrite::Kind::kDelete, KeySpace::kBlobs, key_of(bytes), ""};
}

class ValueFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open() {
    store_.reset();
    RocksDbOptions options;
    options.value_file_bytes_min = kFileMin;
    auto opened = RocksDbKvStore::open(directory_.string(), options);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(*opened);
  }

  void write_ok(const std::vector<KvWrite>& writes, Sync sync = Sync::kYes) {
    Status status = store_->write(writes, sync);
    ASSERT_TRUE(status.is_ok()) << status.to_string();
  }

  fs::path values_directory() const { return directory_.path() / "values"; }
  fs::path file_of(const std::string& bytes) const {
    return values_directory() / value_file_name(key_of(bytes));
  }
  size_t files_on_disk() const {
    size_t count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(values_directory())) ++count;
    return count;
  }

  std::optional<std::string> read(const std::string& bytes) const {
    auto value = store_->get(KeySpace::kBlobs, key_of(bytes));
    EXPECT_TRUE(value.is_ok()) << value.status().to_string();
    return value.is_ok() ? *value : std::nullopt;
  }

  TempDirectory directory_;
  std::unique_ptr<RocksDbKvStore> store_;
};

TEST_F(ValueFilesTest, ALargeValueIsAFileOfItsOwnAndSurvivesReopen) {
  const std::string large = large_value('a');
  const std::string small(100, 's');
  write_ok({put(large), put(small)});
  EXPECT_TRUE(fs::exists(file_of(large)));
  EXPECT_EQ(fs::file_size(file_of(large)), large.size());
  EXPECT_EQ(files_on_disk(), 1u) << "the small value stays in RocksDB";
  EXPECT_EQ(read(large), large);
  EXPECT_EQ(read(small), small);
  EXPECT_GE(store_->stats().bytes[static_cast<size_t>(KeySpace::kBlobs)], large.size());

  open();
  EXPECT_EQ(read(large), large);
  EXPECT_EQ(read(small), small);
  EXPECT_GE(store_->stats().bytes[static_cast<size_t>(KeySpace::kBlobs)], large.size());
}

TEST_F(ValueFilesTest, AValueStoredAlreadyIsNotWrittenAgain) {
  const std::string large = large_value('b');
  write_ok({put(large)});
  struct stat before {};
  ASSERT_EQ(::stat(file_of(large).c_str(), &before), 0);
  write_ok({put(large)});
  struct stat after {};
  ASSERT_EQ(::stat(file_of(large).c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino) << "the file was replaced";
  EXPECT_EQ(store_->stats().keys[static_cast<size_t>(KeySpace::kBlobs)], 1u);
}

TEST_F(ValueFilesTest, OpeningRemovesFilesNoRecordNames) {
  const std::string kept = large_value('k');
  write_ok({put(kept)});
  store_.reset();
  // A crash after the file and before its record, and one during a write.
  const std::string orphan = large_value('o');
  std::ofstream(file_of(orphan)) << orphan;
  std::ofstream(values_directory() / (value_file_name(key_of(orphan)) + ".tmp")) << "torn";
  std::ofstream(values_directory() / "not-a-value") << "stray";
  ASSERT_EQ(files_on_disk(), 4u);

  open();
  EXPECT_EQ(files_on_disk(), 1u);
  EXPECT_TRUE(fs::exists(file_of(kept)));
  EXPECT_EQ(read(orphan), std::nullopt);
  EXPECT_EQ(read(kept), kept);
}

TEST_F(ValueFilesTest, ADeletedValuesFileGoesWhenTheDeleteIsSynced) {
  const std::string large = large_value('d');
  write_ok({put(large)});
  write_ok({erase(large)}, Sync::kNo);
  EXPECT_EQ(read(large), std::nullopt);
  // A crash now could bring the record back: the file stays.
  EXPECT_TRUE(fs::exists(file_of(large)));
  write_ok({}, Sync::kYes);
  EXPECT_FALSE(fs::exists(file_of(large)));
  EXPECT_EQ(store_->stats().keys[static_cast<size_t>(KeySpace::kBlobs)], 0u);
}

TEST_F(ValueFilesTest, AViewOpenedBeforeADeleteStillReadsTheValue) {
  const std::string large = large_value('v');
  write_ok({put(large)});
  std::unique_ptr<KvReader> view = store_->read_view();
  write_ok({erase(large)});
  EXPECT_EQ(read(large), std::nullopt);
  auto seen = view->get(KeySpace::kBlobs, key_of(large));
  ASSERT_TRUE(seen.is_ok()) << seen.status().to_string();
  EXPECT_EQ(*seen, large);
  // A view opened after the delete does not hold the file back.
  std::unique_ptr<KvReader> later = store_->read_view();
  EXPECT_TRUE(fs::exists(file_of(large)));
  view.reset();
  EXPECT_FALSE(fs::exists(file_of(large)));
  EXPECT_EQ(*later->get(KeySpace::kBlobs, key_of(large)), std::nullopt);
}

TEST_F(ValueFilesTest, AValueWrittenAgainAfterItsDeleteKeepsItsFile) {
  const std::string large = large_value('w');
  write_ok({put(large)});
  std::unique_ptr<KvReader> view = store_->read_view();
  write_ok({erase(large)});
  write_ok({put(large)});
  view.reset();
  EXPECT_TRUE(fs::exists(file_of(large)));
  EXPECT_EQ(read(large), large);
  open();
  EXPECT_EQ(read(large), large);
}

TEST_F(ValueFilesTest, AValueWrittenAgainBeforeItsDeleteIsSyncedKeepsItsFile) {
  const std::string large = large_value('u');
  write_ok({put(large)});
  write_ok({erase(large)}, Sync::kNo);
  write_ok({put(large)}, Sync::kNo);
  write_ok({}, Sync::kYes);
  EXPECT_TRUE(fs::exists(file_of(large)));
  EXPECT_EQ(read(large), large);
  EXPECT_EQ(store_->stats().keys[static_cast<size_t>(KeySpace::kBlobs)], 1u);
}

TEST_F(ValueFilesTest, WrittenAndDeletedInOneBatchLeavesNothing) {
  const std::string large = large_value('x');
  write_ok({put(large), erase(large)});
  EXPECT_EQ(read(large), std::nullopt);
  EXPECT_EQ(files_on_disk(), 0u);
  EXPECT_EQ(store_->stats().keys[static_cast<size_t>(KeySpace::kBlobs)], 0u);
}

TEST_F(ValueFilesTest, ScansAndTheLastKeySeeValuesInFilesAndInRocksDb) {
  std::vector<std::string> values = {large_value('1'), std::string(10, '2'), large_value('3'),
                                     std::string(20, '4')};
  std::vector<KvWrite> writes;
  std::map<std::string, std::string> by_key;
  for (const std::string& value : values) {
    writes.push_back(put(value));
    by_key[key_of(value)] = value;
  }
  write_ok(writes);
  auto all = store_->scan(KeySpace::kBlobs, "", "", 100);
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  ASSERT_EQ(all->size(), values.size());
  auto expected = by_key.begin();
  for (const KvPair& pair : *all) {
    EXPECT_EQ(pair.key, expected->first);
    EXPECT_EQ(pair.value, expected->second);
    ++expected;
  }
  auto first_two = store_->scan(KeySpace::kBlobs, "", "", 2);
  ASSERT_EQ(first_two->size(), 2u);
  EXPECT_EQ((*first_two)[1].key, std::next(by_key.begin())->first);
  EXPECT_EQ(**store_->last_key(KeySpace::kBlobs), by_key.rbegin()->first);
}

TEST_F(ValueFilesTest, ARangeDeletionRemovesTheFilesInTheRange) {
  const std::string large = large_value('r');
  write_ok({put(large)});
  write_ok({KvWrite{KvWrite::Kind::kDeleteRange, KeySpace::kBlobs, "", std::string(33, '\xff')}});
  EXPECT_EQ(read(large), std::nullopt);
  EXPECT_EQ(files_on_disk(), 0u);
}

TEST_F(ValueFilesTest, AShortOrMissingFileIsReportedCorrupt) {
  const std::string large = large_value('c');
  write_ok({put(large)});
  fs::resize_file(file_of(large), 10);
  auto shortened = store_->get(KeySpace::kBlobs, key_of(large));
  ASSERT_FALSE(shortened.is_ok());
  EXPECT_EQ(shortened.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(shortened.status().message().find("holds 10 bytes, its record says 66536"),
            std::string::npos)
      << shortened.status().message();

  fs::remove(file_of(large));
  auto missing = store_->get(KeySpace::kBlobs, key_of(large));
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(missing.status().message().find("missing"), std::string::npos)
      << missing.status().message();
}

// Values reach the disk by direct I/O in aligned blocks, the last one
// padded, and where the file system has none (tmpfs) through the page
// cache: either way the file holds the value's bytes exactly.
void expect_every_size_reads_back(const std::string& directory) {
  auto files = ValueFiles::open(directory);
  ASSERT_TRUE(files.is_ok()) << files.status().to_string();
  const size_t chunk = ValueFiles::kDirectChunkBytes;
  std::vector<std::string> values;
  for (size_t size : {size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}, size_t{65536 + 1000},
                      chunk - 1, chunk, chunk + 1, 2 * chunk + chunk / 2 + 7}) {
    std::string value(size, '\0');
    for (size_t i = 0; i < size; ++i) value[i] = static_cast<char>((i * 31 + size) & 0xff);
    values.push_back(std::move(value));
  }
  std::vector<ValueFiles::NewFile> batch;
  std::vector<std::string> keys;
  for (const std::string& value : values) keys.push_back(key_of(value));
  for (size_t i = 0; i < values.size(); ++i) batch.push_back({keys[i], values[i]});
  Status written = (*files)->write_durably(batch);
  ASSERT_TRUE(written.is_ok()) << written.to_string();
  for (size_t i = 0; i < values.size(); ++i) {
    const fs::path path = fs::path(directory) / value_file_name(keys[i]);
    EXPECT_EQ(fs::file_size(path), values[i].size());
    auto read = (*files)->read(keys[i], values[i].size());
    ASSERT_TRUE(read.is_ok()) << read.status().to_string();
    ASSERT_TRUE(read->has_value());
    EXPECT_TRUE(**read == values[i]) << "the value of " << values[i].size() << " bytes";
  }
  EXPECT_EQ((*files)->read(keys[0], values[0].size() + 1).status().code(), ErrorCode::kCorrupt)
      << "a file is exactly its value, no padding";
}

TEST(ValueFilesWriteTest, ValuesOfEverySizeAroundBlocksAndChunksReadBackExactly) {
  TempDirectory directory;
  expect_every_size_reads_back(directory.string());
}

TEST(ValueFilesWriteTest, WithoutDirectIoTheValuesGoThroughThePageCache) {
  // /dev/shm is a tmpfs, which refuses O_DIRECT.
  std::error_code error;
  if (!fs::is_directory("/dev/shm", error)) GTEST_SKIP() << "no /dev/shm here";
  std::string pattern = "/dev/shm/quokka-value-files-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) GTEST_SKIP() << "cannot make a directory in /dev/shm";
  expect_every_size_reads_back(pattern);
  fs::remove_all(pattern, error);
}

TEST(ValueFileNameTest, IsTheHexOfTheKeyAndBack) {
  EXPECT_EQ(value_file_name(std::string("\x00\xab\xff", 3)), "00abff");
  EXPECT_EQ(value_file_key("00abff"), std::string("\x00\xab\xff", 3));
  EXPECT_EQ(value_file_key("00abf"), std::nullopt);
  EXPECT_EQ(value_file_key("00abfg"), std::nullopt);
  EXPECT_EQ(value_file_key("00abff.tmp"), std::nullopt);
  EXPECT_EQ(value_file_key(""), std::nullopt);
}

}  // namespace
}  // namespace quokka::testing
