// quokka-fsync-probe: how long this disk takes to make a small append
// durable. Appends `--size` bytes to a file in `--dir` and fdatasyncs it,
// `--count` times, and prints the latency quantiles as one JSON line. The
// figure every durable write must pay at least once: a single-client put
// cannot be faster than one sync on the leader (its followers sync in
// parallel), so compare-etcd.sh holds quokka's p50 against it.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

int main(int argc, char** argv) {
  std::string dir = ".";
  int count = 1000;
  int size = 256;
  CLI::App app{"quokka-fsync-probe: small append + fdatasync latency"};
  app.add_option("--dir", dir, "directory on the disk to probe")->capture_default_str();
  app.add_option("--count", count, "appends, each synced")
      ->check(CLI::Range(10, 100000))
      ->capture_default_str();
  app.add_option("--size", size, "bytes per append")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const std::string path = dir + "/quokka-fsync-probe.tmp";
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0600);
  if (fd < 0) {
    std::cerr << "quokka-fsync-probe: cannot open " << path << ": " << std::strerror(errno)
              << "\n";
    return 1;
  }
  const std::string block(static_cast<size_t>(size), 'q');
  std::vector<double> microseconds;
  microseconds.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const auto began = std::chrono::steady_clock::now();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      std::cerr << "quokka-fsync-probe: write or fdatasync failed: " << std::strerror(errno)
                << "\n";
      ::close(fd);
      ::unlink(path.c_str());
      return 1;
    }
    microseconds.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - began)
            .count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  std::sort(microseconds.begin(), microseconds.end());
  auto at = [&](double q) {
    return microseconds[std::min(microseconds.size() - 1,
                                 static_cast<size_t>(q * static_cast<double>(microseconds.size())))];
  };
  std::cout << fmt::format(
      R"({{"count":{},"size":{},"p0_us":{:.1f},"p50_us":{:.1f},"p99_us":{:.1f},"p100_us":{:.1f}}})",
      count, size, microseconds.front(), at(0.5), at(0.99), microseconds.back())
            << "\n";
  return 0;
}
