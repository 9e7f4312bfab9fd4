// Invariants checked after every tick() and step() (STYLE §6). Each names
// the rule it protects; a failure is a bug in the core, never an input error.
#include "common/assert.h"
#include "server/consensus/raft.h"

namespace quokka::consensus {

void Raft::check_invariants() {
  // Raft §5.1: terms only grow.
  QUOKKA_ASSERT(term_ >= checked_term_, "term went back from {} to {}",
                checked_term_.value(), term_.value());
  if (term_ != checked_term_) checked_leader_ = NodeId(0);
  checked_term_ = term_;

  // Election safety as seen from here: one leader per term.
  if (leader_ != NodeId(0)) {
    QUOKKA_ASSERT(checked_leader_ == NodeId(0) || checked_leader_ == leader_,
                  "term {} has two leaders: {} and {}", term_.value(),
                  checked_leader_.value(), leader_.value());
    checked_leader_ = leader_;
  }

  const LogIndex commit = log_.committed();
  QUOKKA_ASSERT(commit >= checked_commit_, "commit went back from {} to {}",
                checked_commit_.value(), commit.value());
  checked_commit_ = commit;
  QUOKKA_ASSERT(commit <= log_.last_index(), "commit {} is past the last index {}",
                commit.value(), log_.last_index().value());
  QUOKKA_ASSERT(log_.applied() <= log_.applying(), "applied {} is past applying {}",
                log_.applied().value(), log_.applying().value());
  QUOKKA_ASSERT(log_.applying() <= commit, "applying {} is past commit {}",
                log_.applying().value(), commit.value());

  QUOKKA_ASSERT(role_ != Role::kLeader || leader_ == id_,
                "node {} leads but names {} as leader", id_.value(), leader_.value());
  QUOKKA_ASSERT(role_ == Role::kLeader || progress_.empty(),
                "a {} keeps replication progress", role_name(role_));
  QUOKKA_ASSERT(vote_ == NodeId(0) || term_ > Term(0), "a vote cast in term 0");
  for (const auto& [id, progress] : progress_) {
    QUOKKA_ASSERT(progress.match < progress.next,
                  "follower {}: match {} is not below next {}", id.value(),
                  progress.match.value(), progress.next.value());
    QUOKKA_ASSERT(progress.next.value() <= log_.last_index().value() + 1,
                  "follower {}: next {} is past the log end {}", id.value(),
                  progress.next.value(), log_.last_index().value());
  }
}

}  // namespace quokka::consensus
