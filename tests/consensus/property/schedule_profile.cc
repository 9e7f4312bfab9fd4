#include "tests/consensus/property/schedule_profile.h"

namespace quokka::testing::raft_property {

ScheduleProfile default_profile() { return ScheduleProfile{}; }

ScheduleProfile vote_twice_profile() {
  ScheduleProfile profile;
  profile.faults.vote_twice_in_term = true;
  profile.check_liveness = false;
  profile.steps_min = 100;
  profile.steps_max = 200;
  // Without pre-votes and leases every timeout is a real election, and
  // several candidates often share a term.
  profile.pre_vote = false;
  profile.check_quorum = false;
  StepWeights& w = profile.weights;
  w.campaign = 6;
  w.deliver_random = 20;
  w.duplicate = 6;
  w.crash = 0;
  w.crash_mid_ready = 0;
  w.restart = 0;
  w.propose = 2;
  w.transfer_leadership = 0;
  w.read_index = 0;
  w.compact = 0;
  return profile;
}

ScheduleProfile figure8_profile() {
  ScheduleProfile profile;
  profile.faults.commit_older_terms_by_counting = true;
  profile.check_liveness = false;
  profile.steps_min = 600;
  profile.steps_max = 1200;
  profile.node_count = 3;
  profile.election_timeout_ticks = 3;
  profile.pre_vote = false;
  profile.check_quorum = false;
  // One entry per append and one append in flight: an older entry can reach
  // a majority before the new leader's own entry does.
  profile.append_bytes_max = 1;
  profile.inflight_messages_max = 1;
  // Leaders are cut off soon after they are elected, so that entries of
  // several terms are left partly replicated.
  StepWeights& w = profile.weights;
  w.isolate_leader = 8;
  w.partition = 2;
  w.heal = 8;
  w.crash = 1;
  w.crash_mid_ready = 1;
  w.restart = 6;
  w.propose = 15;
  w.drop = 6;
  w.read_index = 0;
  w.transfer_leadership = 0;
  w.compact = 0;
  return profile;
}

}  // namespace quokka::testing::raft_property
