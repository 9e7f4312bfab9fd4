#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/checker/history.h"

namespace quokka::sim {

// Linearizability checker for histories of quokka's client API.
//
// Model. Each key is a register that starts absent. Put(value) and a
// successful CompareAndSwap set it to their value; Delete makes it absent;
// Get must return what it holds (the value, or absent). CompareAndSwap(r, v)
// applies only when the key's mod_revision is r (r = 0: the key is absent),
// and fails with CAS_MISMATCH only when it is not.
//
// Keys are independent (linearizability is compositional), so each key is
// searched on its own, with the just-in-time linearization search of Wing &
// Gong and Lowe, memoizing (set of operations linearized, register state).
//
// What each outcome means to the checker:
//   ok     must take effect at one instant within [invoke, complete].
//   fail   definite: never happened. Left out, except a CompareAndSwap with
//          CAS_MISMATCH, which must take effect within its interval at a
//          point where the key's mod_revision was not the expected one.
//   info   indeterminate: takes effect at one instant after invoke, or never.
//          An indeterminate Get constrains nothing and is left out.
//
// Revisions. A write's revision is known when the write reports it (ok) or
// a Get of its value reports the mod_revision; 0 means "not reported" and is
// never used. The checker verifies that:
//   - all reports of one write's revision agree (a Get of v returns the
//     revision the write of v returned);
//   - no two writes (of any keys) have the same revision;
//   - a write that completed before another was invoked has the smaller
//     revision (revisions are cluster-wide and grow with every mutation);
//   - in the order chosen for one key, writes of known revision take effect
//     in increasing revision order;
//   - CompareAndSwap matches against the known revision of the write whose
//     value the key holds. Where that write's revision is unknown (an
//     indeterminate write nobody read with a revision), a successful CAS may
//     match it unless its expected revision belongs to another write, and a
//     CAS_MISMATCH is always allowed: permissive, never a false alarm.
// Delete's reported revision and the header revision of Get are not used,
// and a Get of an absent key is not checked for its mod_revision.
//
// Preconditions of the workload (violations give kInvalidHistory):
//   - every write (Put or CompareAndSwap, whatever its outcome) writes a
//     value no other write wrote to the same key, so a read names the write
//     it saw. This is also what makes a definite write failure checkable: a
//     read of its value is reported as a violation.
//   - ok and fail operations complete no earlier than they are invoked;
//     fail carries an error code; only CompareAndSwap fails with
//     CAS_MISMATCH.
//   - the store is empty when the history starts.
//
// Real time: a precedes b only when a.complete_tick < b.invoke_tick.
struct CheckOptions {
  // Search steps (events looked at) allowed for one key. Past it the verdict
  // is kUnknown, never kOk.
  uint64_t search_steps_per_key_max = 20'000'000;
  // Memory the search memo of one key may use. Past it: kUnknown.
  uint64_t search_memo_bytes_per_key_max = uint64_t{1} << 30;
  // Steps spent shrinking a violation to a small set of operations that
  // still shows it (and explaining it). 0 reports every operation of the
  // key.
  uint64_t shrink_steps_max = 2'000'000;
};

enum class Verdict : uint8_t {
  kOk,              // every key is linearizable
  kViolation,       // some key is not; see key, explanation, operations
  kUnknown,         // no violation found, but a search hit its limits
  kInvalidHistory,  // the history breaks a precondition of the workload
};

std::string_view verdict_name(Verdict verdict);

struct CheckStatistics {
  size_t operations = 0;  // in the history
  size_t keys = 0;
  // Operations the searches took into account (the others cannot
  // constrain anything: failed or indeterminate reads, definite write
  // failures, indeterminate writes nothing could have observed).
  size_t operations_searched = 0;
  uint64_t search_steps = 0;          // summed over keys, without shrinking
  uint64_t search_steps_key_max = 0;  // the largest count of one key
  uint64_t memo_bytes_key_max = 0;    // the largest memo of one key
  uint64_t shrink_steps = 0;
};

struct CheckResult {
  Verdict verdict = Verdict::kOk;
  // The key concerned; empty for kOk, and for findings that span keys.
  std::string key;
  // For a person, several lines; empty for kOk.
  std::string explanation;
  // kViolation / kInvalidHistory: positions in the history of the
  // operations that show the problem, by invoke tick. For a violation found
  // by search this is a subset of the key's operations that has no
  // linearization by itself, so it proves the history has none.
  std::vector<size_t> operations;
  CheckStatistics statistics;
};

CheckResult check_linearizability(const History& history,
                                  const CheckOptions& options = {});

}  // namespace quokka::sim
