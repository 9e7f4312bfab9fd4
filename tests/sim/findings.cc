#include "tests/sim/findings.h"

namespace quokka::sim {

std::string_view run_verdict_name(RunVerdict verdict) {
  switch (verdict) {
    case RunVerdict::kOk: return "ok";
    case RunVerdict::kCorrectness: return "correctness violation";
    case RunVerdict::kLiveness: return "liveness failure";
  }
  return "unknown";
}

void Findings::add(RunVerdict verdict, std::string what) {
  // A run that goes wrong tends to go wrong the same way many times; keep
  // the first few of each, which say enough.
  constexpr size_t kFindingsMax = 50;
  if (findings_.size() < kFindingsMax) findings_.push_back({verdict, std::move(what)});
}

RunVerdict Findings::verdict() const {
  RunVerdict worst = RunVerdict::kOk;
  for (const Finding& finding : findings_) {
    if (finding.verdict == RunVerdict::kCorrectness) return RunVerdict::kCorrectness;
    worst = RunVerdict::kLiveness;
  }
  return worst;
}

}  // namespace quokka::sim
