#pragma once

#include <chrono>

namespace quokka::client::bench {

// CPU time this process used so far, over all its threads (getrusage).
struct CpuTime {
  std::chrono::microseconds user{0};
  std::chrono::microseconds system{0};

  std::chrono::microseconds total() const { return user + system; }
};

CpuTime process_cpu_time();

CpuTime operator-(const CpuTime& later, const CpuTime& earlier);

}  // namespace quokka::client::bench
