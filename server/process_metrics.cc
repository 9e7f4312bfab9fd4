#include "server/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace quokka::server {
namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// btime from /proc/stat: when the machine booted, in seconds since the epoch.
double boot_time_seconds() {
  std::istringstream stat(read_file("/proc/stat"));
  std::string word;
  while (stat >> word) {
    if (word == "btime") {
      double seconds = 0;
      stat >> seconds;
      return seconds;
    }
  }
  return 0;
}

prometheus::MetricFamily family(const std::string& name, const std::string& help,
                                prometheus::MetricType type, double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
  return family;
}

}  // namespace

std::optional<ProcessReading> parse_proc_self_stat(std::string_view stat, double ticks_per_second,
                                                   double page_bytes, double boot_time_seconds) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
  // the fields start after the last ')'.
  const size_t comm_end = stat.rfind(')');
  if (comm_end == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  std::string_view rest = stat.substr(comm_end + 1);
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const size_t end = std::min(rest.find_first_of(" \n"), rest.size());
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  // proc(5) numbers fields from 1: utime 14, stime 15, starttime 22,
  // vsize 23 (bytes), rss 24 (pages).
  auto field = [&](size_t number) -> std::optional<double> {
    const size_t at = number - 3;
    if (at >= fields.size()) return std::nullopt;
    uint64_t value = 0;
    const auto [end, error] =
        std::from_chars(fields[at].data(), fields[at].data() + fields[at].size(), value);
    if (error != std::errc() || end != fields[at].data() + fields[at].size()) return std::nullopt;
    return static_cast<double>(value);
  };
  const auto utime = field(14), stime = field(15), start = field(22), vsize = field(23),
             rss = field(24);
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  ProcessReading reading;
  reading.cpu_seconds = (*utime + *stime) / ticks_per_second;
  reading.start_time_seconds = boot_time_seconds + *start / ticks_per_second;
  reading.virtual_bytes = *vsize;
  reading.resident_bytes = *rss * page_bytes;
  return reading;
}

ProcessReading read_process() {
  ProcessReading reading =
      parse_proc_self_stat(read_file("/proc/self/stat"), static_cast<double>(sysconf(_SC_CLK_TCK)),
                           static_cast<double>(sysconf(_SC_PAGESIZE)), boot_time_seconds())
          .value_or(ProcessReading{});
  std::error_code error;
  // Bounded by the descriptor limit (LimitNOFILE), read once per scrape.
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error)) {
    ++reading.open_fds;
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) reading.max_fds = static_cast<double>(limit.rlim_cur);
  return reading;
}

std::vector<prometheus::MetricFamily> process_families(const ProcessReading& reading) {
  using prometheus::MetricType;
  return {
      family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
             MetricType::Counter, reading.cpu_seconds),
      family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
             reading.resident_bytes),
      family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
             reading.virtual_bytes),
      family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
             reading.open_fds),
      family("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge,
             reading.max_fds),
      family("process_start_time_seconds",
             "Start time of the process since unix epoch in seconds.", MetricType::Gauge,
             reading.start_time_seconds),
  };
}

}  // namespace quokka::server
