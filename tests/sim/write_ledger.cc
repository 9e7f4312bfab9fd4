#include "tests/sim/write_ledger.h"

#include <fmt/format.h>

namespace quokka::sim {

void WriteLedger::write_succeeded(const node::WriteIdentity& id, const std::string& key,
                                  Revision revision) {
  if (revision == Revision(0)) return;
  const auto identity = std::make_pair(id.client_id, id.seq);
  auto [known, inserted] = by_identity_.emplace(identity, std::make_pair(key, revision));
  if (!inserted && known->second.second != revision) {
    findings_.add(RunVerdict::kCorrectness,
                  fmt::format("exactly-once: write (client {:x}, seq {}) on \"{}\" was "
                              "answered with revision {} and later with revision {}",
                              id.client_id, id.seq, key, known->second.second.value(),
                              revision.value()));
  }
  auto [owner, fresh] = by_revision_.emplace(revision, identity);
  if (!fresh && owner->second != identity) {
    findings_.add(RunVerdict::kCorrectness,
                  fmt::format("revision {} was answered to two writes: (client {:x}, seq {}) "
                              "and (client {:x}, seq {})",
                              revision.value(), owner->second.first, owner->second.second,
                              id.client_id, id.seq));
  }
}

}  // namespace quokka::sim
