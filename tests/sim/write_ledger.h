#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "common/types.h"
#include "server/node/client_api.h"
#include "tests/sim/findings.h"

namespace quokka::sim {

// Exactly-once, as clients can see it without a hook into the nodes: every
// successful answer to a write names the revision it created. One write
// identity (client id, seq) must always be answered with the same revision
// (a retry that applied again would get a new one), and one revision must
// belong to one write only.
class WriteLedger {
 public:
  explicit WriteLedger(Findings& findings) : findings_(findings) {}

  void write_succeeded(const node::WriteIdentity& id, const std::string& key,
                       Revision revision);

  size_t writes() const { return by_identity_.size(); }

 private:
  Findings& findings_;
  std::map<std::pair<uint64_t, uint64_t>, std::pair<std::string, Revision>> by_identity_;
  std::map<Revision, std::pair<uint64_t, uint64_t>> by_revision_;
};

}  // namespace quokka::sim
