#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace quokka {

// Large values, one file each in a directory of their own, named by the hex
// of their key. A value file is written and synced once, before the RocksDB
// batch that records it; RocksDB would write the same bytes twice (its
// write-ahead log, then a blob file at the flush) with a CRC32C over each
// pass, which the distribution's portable build computes without SSE4.2.
//
// Files are only written under new names (a temporary, renamed once
// durable), so a reader sees a whole file or none. A file is removed only
// once no open view can still name it (`retire`, `view_opened`).
class ValueFiles {
 public:
  // Opens (creating it if needed) the directory.
  static Result<std::unique_ptr<ValueFiles>> open(std::string directory);
  ~ValueFiles();

  ValueFiles(const ValueFiles&) = delete;
  ValueFiles& operator=(const ValueFiles&) = delete;

  struct NewFile {
    std::string_view key;
    std::string_view bytes;
  };
  // Writes each value and makes all of them durable under their names,
  // directory entries included: every write first, so the disk sees them
  // together, then one sync per file and one of the directory.
  Status write_durably(const std::vector<NewFile>& files);

  // The `size` bytes of the value under `key`; nullopt when there is no
  // such file. A file of another size is corrupt.
  Result<std::optional<std::string>> read(std::string_view key, uint64_t size) const;

  // Calls `stored(key)` for each file and removes those it says no record
  // names, and any temporary left by a crash; returns the files kept and
  // their bytes. For opening, before any view exists.
  struct Kept {
    uint64_t files = 0;
    uint64_t bytes = 0;
  };
  template <typename Stored>
  Result<Kept> sweep(Stored stored);

  // A view about to take its snapshot; returns the ticket to hand back to
  // view_closed. Call before taking the snapshot, so a view that could see
  // a record is always counted when its file is retired.
  uint64_t view_opened();
  void view_closed(uint64_t ticket);

  // The records of these values are durably deleted: remove their files
  // once every view opened before now is closed.
  void retire(std::vector<std::string> keys);
  // A value written again after it was retired keeps its file.
  void keep(std::string_view key);

  const std::string& directory() const { return directory_; }

  // The bytes a value moves through on its way to the disk at a time.
  static constexpr size_t kDirectChunkBytes = 1 << 20;

 private:
  ValueFiles(std::string directory, int directory_fd)
      : directory_(std::move(directory)), directory_fd_(directory_fd) {}

  std::string path_of(std::string_view key) const;
  Result<std::vector<std::string>> names() const;
  void remove_name(const std::string& name) const;
  // Removes the retired files no open view predates. Holds mutex_.
  void remove_unviewed_locked();
  // The buffer of direct writes, allocated at the first; nullptr when
  // memory is short (the write then goes through the page cache).
  char* direct_chunk();

  std::string directory_;
  int directory_fd_;
  // Held by write_durably throughout: one direct write at a time.
  std::mutex write_mutex_;
  char* direct_chunk_ = nullptr;

  mutable std::mutex mutex_;
  // Retirements so far; a view's ticket is the count when it opened.
  uint64_t retirements_ = 0;
  std::multiset<uint64_t> open_views_;
  // key -> the retirement that deleted its record.
  std::map<std::string, uint64_t> retired_;
};

// Hex of the key, the file's name, and back.
std::string value_file_name(std::string_view key);
std::optional<std::string> value_file_key(std::string_view name);

template <typename Stored>
Result<ValueFiles::Kept> ValueFiles::sweep(Stored stored) {
  auto listed = names();
  if (!listed) return listed.status();
  Kept kept;
  for (const std::string& name : *listed) {
    std::optional<std::string> key = value_file_key(name);
    std::optional<uint64_t> size;
    if (key) {
      auto recorded = stored(*key);
      if (!recorded) return recorded.status();
      size = *recorded;
    }
    if (!size) {
      remove_name(name);
      continue;
    }
    ++kept.files;
    kept.bytes += *size;
  }
  return kept;
}

}  // namespace quokka
