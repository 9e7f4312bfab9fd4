#include "storage/value_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace quokka {

namespace {

constexpr std::string_view kTemporarySuffix = ".tmp";

// The disk is full, or it failed: as RocksDB's errors, expected operating
// conditions that become Statuses.
Status io_error(int error, std::string_view doing, const std::string& path) {
  const ErrorCode code = error == ENOSPC || error == EDQUOT ? ErrorCode::kNoSpace
                                                            : ErrorCode::kCorrupt;
  return Status(code, fmt::format("{} {}: {}", doing, path, std::strerror(error)));
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return io_error(errno, "writing value file", path);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status::ok();
}

// Direct I/O moves a value from one reused buffer straight to the device.
// Through the page cache every write copies the value into pages just
// allocated for the file, and that copy, not the disk, was most of the
// CPU of large puts (bench/NOTES.md). Offsets, lengths and the buffer's
// address must be multiples of the device's block size; 4 KiB is one for
// every device Linux supports.
constexpr size_t kDirectAlignment = 4096;

size_t aligned_up(size_t bytes) {
  return (bytes + kDirectAlignment - 1) / kDirectAlignment * kDirectAlignment;
}

// Writes `bytes` to the start of `fd`, opened with O_DIRECT, through
// `chunk` (kDirectChunkBytes, aligned), then cuts the file to the value's
// exact size: the last block goes out padded with zeros. EINVAL, which a
// file system that opens with O_DIRECT may still answer to the writes
// themselves, sets `refused` instead of failing: the caller writes the
// file through the page cache.
Status write_direct(int fd, std::string_view bytes, char* chunk, const std::string& path,
                    bool& refused) {
  refused = false;
  uint64_t offset = 0;
  while (offset < bytes.size()) {
    const size_t length = std::min<size_t>(ValueFiles::kDirectChunkBytes, bytes.size() - offset);
    std::memcpy(chunk, bytes.data() + offset, length);
    const size_t padded = aligned_up(length);
    std::memset(chunk + length, 0, padded - length);
    size_t done = 0;
    while (done < padded) {
      const ssize_t written =
          ::pwrite(fd, chunk + done, padded - done, static_cast<off_t>(offset + done));
      if (written < 0) {
        if (errno == EINTR) continue;
        refused = errno == EINVAL;
        return io_error(errno, "writing value file", path);
      }
      done += static_cast<size_t>(written);
    }
    offset += length;
  }
  if (::ftruncate(fd, static_cast<off_t>(bytes.size())) != 0) {
    return io_error(errno, "sizing value file", path);
  }
  return Status::ok();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string value_file_name(std::string_view key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string name;
  name.reserve(key.size() * 2);
  for (char c : key) {
    const auto byte = static_cast<unsigned char>(c);
    name.push_back(kDigits[byte >> 4]);
    name.push_back(kDigits[byte & 0xf]);
  }
  return name;
}

std::optional<std::string> value_file_key(std::string_view name) {
  if (name.empty() || name.size() % 2 != 0) return std::nullopt;
  std::string key;
  key.reserve(name.size() / 2);
  for (size_t i = 0; i < name.size(); i += 2) {
    const int high = hex_digit(name[i]);
    const int low = hex_digit(name[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    key.push_back(static_cast<char>(high << 4 | low));
  }
  return key;
}

Result<std::unique_ptr<ValueFiles>> ValueFiles::open(std::string directory) {
  if (::mkdir(directory.c_str(), 0755) != 0 && errno != EEXIST) {
    return io_error(errno, "creating value directory", directory);
  }
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error(errno, "opening value directory", directory);
  return std::unique_ptr<ValueFiles>(new ValueFiles(std::move(directory), fd));
}

ValueFiles::~ValueFiles() {
  ::close(directory_fd_);
  std::free(direct_chunk_);
}

std::string ValueFiles::path_of(std::string_view key) const {
  return directory_ + "/" + value_file_name(key);
}

Status ValueFiles::write_durably(const std::vector<NewFile>& files) {
  if (files.empty()) return Status::ok();
  std::lock_guard write_lock(write_mutex_);
  struct Open {
    int fd;
    std::string temporary;
    std::string path;
  };
  std::vector<Open> open;
  open.reserve(files.size());
  auto close_all = [&] {
    for (Open& file : open) {
      if (file.fd >= 0) ::close(file.fd);
      file.fd = -1;
    }
  };
  auto fail = [&](Status status) {
    close_all();
    for (const Open& file : open) ::unlink(file.temporary.c_str());
    return status;
  };
  for (const NewFile& file : files) {
    std::string path = path_of(file.key);
    std::string temporary = path + std::string(kTemporarySuffix);
    constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
    int fd = direct_chunk() != nullptr ? ::open(temporary.c_str(), kFlags | O_DIRECT, 0644) : -1;
    bool direct = fd >= 0;
    if (direct) {
      bool refused = false;
      Status written = write_direct(fd, file.bytes, direct_chunk_, temporary, refused);
      if (!written.is_ok() && !refused) {
        open.push_back(Open{fd, std::move(temporary), std::move(path)});
        return fail(written);
      }
      if (refused) {
        ::close(fd);
        direct = false;
      }
    }
    // A file system without direct I/O (tmpfs) refuses the flag: buffered.
    if (!direct) fd = ::open(temporary.c_str(), kFlags, 0644);
    if (fd < 0) return fail(io_error(errno, "creating value file", temporary));
    open.push_back(Open{fd, std::move(temporary), std::move(path)});
    if (!direct) {
      Status written = write_all(fd, file.bytes, open.back().temporary);
      if (!written.is_ok()) return fail(written);
      // Start the write-back of this file now, while the next is copied
      // in, so the syncs below mostly wait for writes already under way.
      ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    }
  }
  for (Open& file : open) {
    if (::fdatasync(file.fd) != 0) return fail(io_error(errno, "syncing value file", file.temporary));
    ::close(file.fd);
    file.fd = -1;
  }
  for (const Open& file : open) {
    if (::rename(file.temporary.c_str(), file.path.c_str()) != 0) {
      return fail(io_error(errno, "naming value file", file.path));
    }
  }
  // On a failure from here on the files keep their names: one may replace
  // a file whose record is durable, and those no record names go at the
  // next open.
  if (::fsync(directory_fd_) != 0) return io_error(errno, "syncing value directory", directory_);
  return Status::ok();
}

char* ValueFiles::direct_chunk() {
  if (direct_chunk_ == nullptr) {
    direct_chunk_ = static_cast<char*>(std::aligned_alloc(kDirectAlignment, kDirectChunkBytes));
  }
  return direct_chunk_;
}

Result<std::optional<std::string>> ValueFiles::read(std::string_view key, uint64_t size) const {
  const std::string path = path_of(key);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return io_error(errno, "opening value file", path);
  }
  std::string bytes(size, '\0');
  uint64_t done = 0;
  Status status = Status::ok();
  while (done < size) {
    ssize_t got = ::pread(fd, bytes.data() + done, size - done, static_cast<off_t>(done));
    if (got < 0) {
      if (errno == EINTR) continue;
      status = io_error(errno, "reading value file", path);
      break;
    }
    if (got == 0) break;
    done += static_cast<uint64_t>(got);
  }
  struct stat info {};
  const bool sized = ::fstat(fd, &info) == 0;
  ::close(fd);
  if (!status.is_ok()) return status;
  if (done != size || !sized || static_cast<uint64_t>(info.st_size) != size) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("value file {} holds {} bytes, its record says {}", path,
                              sized ? static_cast<uint64_t>(info.st_size) : done, size));
  }
  return std::optional<std::string>(std::move(bytes));
}

Result<std::vector<std::string>> ValueFiles::names() const {
  DIR* dir = ::opendir(directory_.c_str());
  if (dir == nullptr) return io_error(errno, "listing value directory", directory_);
  std::vector<std::string> listed;
  while (const dirent* entry = ::readdir(dir)) {
    std::string_view name(entry->d_name);
    if (name == "." || name == "..") continue;
    listed.emplace_back(name);
  }
  ::closedir(dir);
  return listed;
}

void ValueFiles::remove_name(const std::string& name) const {
  ::unlinkat(directory_fd_, name.c_str(), 0);
}

uint64_t ValueFiles::view_opened() {
  std::lock_guard lock(mutex_);
  open_views_.insert(retirements_);
  return retirements_;
}

void ValueFiles::view_closed(uint64_t ticket) {
  std::lock_guard lock(mutex_);
  auto it = open_views_.find(ticket);
  if (it != open_views_.end()) open_views_.erase(it);
  remove_unviewed_locked();
}

void ValueFiles::retire(std::vector<std::string> keys) {
  if (keys.empty()) return;
  std::lock_guard lock(mutex_);
  ++retirements_;
  for (std::string& key : keys) retired_[std::move(key)] = retirements_;
  remove_unviewed_locked();
}

void ValueFiles::keep(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = retired_.find(std::string(key));
  if (it != retired_.end()) retired_.erase(it);
}

void ValueFiles::remove_unviewed_locked() {
  // A view with ticket t opened after t retirements: it cannot see the
  // records of retirement t or earlier, so it needs none of their files.
  const uint64_t oldest_view =
      open_views_.empty() ? retirements_ : *open_views_.begin();
  for (auto it = retired_.begin(); it != retired_.end();) {
    if (it->second <= oldest_view) {
      remove_name(value_file_name(it->first));
      it = retired_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace quokka
