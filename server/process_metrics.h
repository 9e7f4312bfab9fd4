#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <prometheus/metric_family.h>

namespace quokka::server {

// The process_* metrics of the Prometheus client libraries' convention,
// which prometheus-cpp does not provide, read from /proc/self when
// Prometheus scrapes (never per request).
struct ProcessReading {
  double cpu_seconds = 0;          // user + system
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double start_time_seconds = 0;   // since the Unix epoch
};

// The facts /proc/self/stat gives (everything but the descriptors), from
// its text; nothing when it does not parse. `boot_time_seconds` is btime of
// /proc/stat.
std::optional<ProcessReading> parse_proc_self_stat(std::string_view stat, double ticks_per_second,
                                                   double page_bytes, double boot_time_seconds);

// This process, now. Fields that cannot be read stay 0.
ProcessReading read_process();

// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds.
std::vector<prometheus::MetricFamily> process_families(const ProcessReading& reading);

}  // namespace quokka::server
