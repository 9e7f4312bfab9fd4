#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace quokka::sim {

// What a run concluded, worst first by exit code of quokka-sim. A crash
// (an assertion in the node or the simulator) aborts the process, so it is
// never a RunVerdict a run returns: the test runner sees SIGABRT.
enum class RunVerdict : int {
  kOk = 0,
  kCorrectness = 1,  // a checker found a violation
  kLiveness = 2,     // no progress after the faults healed
};

std::string_view run_verdict_name(RunVerdict verdict);

struct Finding {
  RunVerdict verdict = RunVerdict::kCorrectness;
  std::string what;
};

// The findings of one run. Correctness outranks liveness: a run that both
// lost a write and stalled reports the lost write.
class Findings {
 public:
  void add(RunVerdict verdict, std::string what);
  RunVerdict verdict() const;
  bool empty() const { return findings_.empty(); }
  const std::vector<Finding>& all() const { return findings_; }

 private:
  std::vector<Finding> findings_;
};

}  // namespace quokka::sim
