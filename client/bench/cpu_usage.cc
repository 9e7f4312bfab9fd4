#include "client/bench/cpu_usage.h"

#include <sys/resource.h>

namespace quokka::client::bench {
namespace {

std::chrono::microseconds to_microseconds(const timeval& time) {
  return std::chrono::seconds(time.tv_sec) + std::chrono::microseconds(time.tv_usec);
}

}  // namespace

CpuTime process_cpu_time() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return CpuTime{};
  return CpuTime{.user = to_microseconds(usage.ru_utime),
                 .system = to_microseconds(usage.ru_stime)};
}

CpuTime operator-(const CpuTime& later, const CpuTime& earlier) {
  return CpuTime{.user = later.user - earlier.user, .system = later.system - earlier.system};
}

}  // namespace quokka::client::bench
