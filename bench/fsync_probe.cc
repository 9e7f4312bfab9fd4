// quokka-fsync-probe: how long this disk takes to make a small append
// durable. Appends `--size` bytes to a file in `--dir` and fdatasyncs it,
// `--count` times, and prints the latency quantiles as one JSON line. The
// figure every durable write must pay at least once: a single-client put
// cannot be faster than one sync on the leader (its followers sync in
// parallel), so compare-etcd.sh holds quokka's p50 against it.
//
// `--writers N` runs N such appenders at once, each on its own file, and
// reports the quantiles over all their syncs: what each of the three nodes
// of a cluster sharing this disk pays when all of them sync together, as
// they do for every write. With it the line also gives the disk's write
// bandwidth under those appenders (`bytes_per_s`: every byte written and
// synced, over the wall time of the whole probe), which bounds large
// values: `--size 1048576 --writers 3` is three nodes each making a 1 MiB
// value durable.
//
// `--in-place` writes the whole file once first (synced, not timed) and
// then overwrites it block by block, each overwrite synced: the file's size
// never changes, so a sync need not commit the file system's journal. The
// difference between the two is what a log that appends (RocksDB's WAL)
// pays over one that overwrites preallocated space.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench/probe_quantiles.h"

namespace {

// `count` appends of `size` bytes to `path`, each followed by fdatasync;
// the latency of each into `microseconds`. Returns what failed, or "".
std::string probe(const std::string& path, int count, int size, bool in_place,
                  std::vector<double>& microseconds) {
  const int fd =
      ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | (in_place ? 0 : O_APPEND), 0600);
  if (fd < 0) return fmt::format("cannot open {}: {}", path, std::strerror(errno));
  const std::string block(static_cast<size_t>(size), 'q');
  std::string failure;
  if (in_place) {
    const std::string zeros(static_cast<size_t>(size), '\0');
    for (int i = 0; i < count && failure.empty(); ++i) {
      if (::write(fd, zeros.data(), zeros.size()) != static_cast<ssize_t>(zeros.size())) {
        failure = fmt::format("preparing {} failed: {}", path, std::strerror(errno));
      }
    }
    if (failure.empty() && ::fsync(fd) != 0) {
      failure = fmt::format("fsync of {} failed: {}", path, std::strerror(errno));
    }
  }
  microseconds.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count && failure.empty(); ++i) {
    const auto began = std::chrono::steady_clock::now();
    const off_t offset = static_cast<off_t>(i) * size;
    const ssize_t written = in_place ? ::pwrite(fd, block.data(), block.size(), offset)
                                     : ::write(fd, block.data(), block.size());
    if (written != static_cast<ssize_t>(block.size()) || ::fdatasync(fd) != 0) {
      failure = fmt::format("write or fdatasync of {} failed: {}", path, std::strerror(errno));
      break;
    }
    microseconds.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - began)
            .count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  return failure;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".";
  int count = 1000;
  int size = 256;
  int writers = 1;
  bool in_place = false;
  CLI::App app{"quokka-fsync-probe: small append + fdatasync latency"};
  app.add_option("--dir", dir, "directory on the disk to probe")->capture_default_str();
  app.add_option("--count", count, "appends, each synced")
      ->check(CLI::Range(10, 100000))
      ->capture_default_str();
  app.add_option("--size", size, "bytes per append")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("--writers", writers, "appenders at once, each on its own file")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  app.add_flag("--in-place", in_place,
               "overwrite a file written beforehand instead of appending to a new one");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::vector<double>> per_writer(static_cast<size_t>(writers));
  std::vector<std::string> failures(static_cast<size_t>(writers));
  std::vector<std::thread> threads;
  const auto began = std::chrono::steady_clock::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      failures[static_cast<size_t>(w)] =
          probe(fmt::format("{}/quokka-fsync-probe-{}.tmp", dir, w), count, size, in_place,
                per_writer[static_cast<size_t>(w)]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::vector<double> microseconds;
  for (int w = 0; w < writers; ++w) {
    if (!failures[static_cast<size_t>(w)].empty()) {
      std::cerr << "quokka-fsync-probe: " << failures[static_cast<size_t>(w)] << "\n";
      return 1;
    }
    const std::vector<double>& samples = per_writer[static_cast<size_t>(w)];
    microseconds.insert(microseconds.end(), samples.begin(), samples.end());
  }
  const double bytes = static_cast<double>(microseconds.size()) * size;
  std::cout << fmt::format(R"({{"count":{},"size":{},"writers":{},"in_place":{},{},"bytes_per_s":{:.0f}}})",
                           microseconds.size(), size, writers, in_place,
                           quokka::probe::quantile_fields(microseconds), bytes / seconds)
            << "\n";
  return 0;
}
