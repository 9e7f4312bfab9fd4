#include "server/consensus/ready.h"

namespace quokka::consensus {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kFollower: return "follower";
    case Role::kPreCandidate: return "pre-candidate";
    case Role::kCandidate: return "candidate";
    case Role::kLeader: return "leader";
  }
  return "unknown";
}

bool Ready::empty() const {
  return !soft_state && !hard_state && !snapshot && entries.empty() &&
         messages.empty() && messages_after_persist.empty() &&
         committed_entries.empty() && read_states.empty() &&
         dropped_reads.empty();
}

}  // namespace quokka::consensus
