#pragma once

#include <cstdint>

#include "tests/consensus/property/event_log.h"

namespace quokka::testing::raft_property {

// While one is alive, a process abort (a failed QUOKKA_ASSERT in the core,
// or a crash) first prints "SEED=<seed>" and the schedule's recent events,
// so that a core assertion found by a schedule can be replayed like any
// other failure. One at a time; not for use from several threads.
class CrashReportScope {
 public:
  CrashReportScope(uint64_t seed, const EventLog& events);
  ~CrashReportScope();

  CrashReportScope(const CrashReportScope&) = delete;
  CrashReportScope& operator=(const CrashReportScope&) = delete;
};

}  // namespace quokka::testing::raft_property
