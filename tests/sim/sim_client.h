#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "common/deterministic_random.h"
#include "server/node/client_api.h"
#include "tests/sim/checker/history_recorder.h"
#include "tests/sim/findings.h"
#include "tests/sim/scheduler.h"
#include "tests/sim/sim_cluster.h"
#include "tests/sim/trace.h"
#include "tests/sim/workload.h"
#include "tests/sim/write_ledger.h"

namespace quokka::sim {

struct ClientTiming {
  // The deadline each request carries, and how long past it the client
  // waits for an answer before it counts the answer as lost.
  uint64_t request_timeout_ms = 1000;
  uint64_t answer_grace_ms = 200;
  // How long one operation may take over all its attempts.
  uint64_t operation_budget_ms = 4000;
  uint64_t retry_backoff_ms_max = 50;
  uint64_t think_ms_max = 20;
  // Chance per operation (per mille) that the client restarts its session:
  // a new client id, sequence numbers from 1 again.
  uint64_t new_session_per_mille = 5;
};

// What the shared parts of the world give a client.
struct ClientWorld {
  Scheduler& scheduler;
  DeterministicRandom& random;
  Trace& trace;
  SimCluster& cluster;
  HistoryRecorder& history;
  WriteLedger& ledger;
  Findings& findings;
};

// A single-threaded client: one operation at a time, one attempt of it at a
// time, sent to one node over a client link (which may drop or delay it).
// It follows NOT_LEADER hints, moves on from a node that does not answer,
// and records each operation once in the history, however many attempts it
// took: ok, fail (definitely did not happen) or info (may have happened).
// Attempts of one write reuse its WriteIdentity.
class SimClient {
 public:
  SimClient(uint64_t index, ClientWorld world, ClientTiming timing);

  uint64_t index() const { return index_; }
  Endpoint endpoint() const { return kClientEndpointBase + index_; }

  // Runs operations from `workload` back to back until `stop_at_ms`.
  void run(Workload workload, uint64_t stop_at_ms);
  // Runs exactly these operations, one after the other (the final reads).
  void run_script(std::deque<PlannedOperation> script);

  // Whether an operation is under way (or more are queued).
  bool busy() const { return in_operation_ || !script_.empty(); }
  uint64_t operations_completed() const { return completed_; }
  uint64_t operations_ok() const { return ok_; }

 private:
  struct Operation {
    PlannedOperation plan;
    OperationId history_id;
    node::WriteIdentity identity;
    uint64_t invoked_ms = 0;
    uint64_t budget_end_ms = 0;
    // Some attempt may have taken effect (indeterminate answer, or none).
    bool maybe_applied = false;
    ErrorCode last_error = ErrorCode::kOk;
    uint64_t attempts = 0;
  };

  void next_operation();
  void begin(PlannedOperation plan);
  void attempt();
  void answered(uint64_t attempt_token, NodeId from, node::ClientResponse response);
  void lost(uint64_t attempt_token);
  // Retries after a backoff if the budget allows; otherwise ends the
  // operation as fail, or info when some attempt may have applied.
  void retry_or_give_up(bool move_to_other_node);
  void finish_ok(const node::ClientResponse& response);
  void finish_failed(ErrorCode error, bool definite);
  void finish();
  node::ClientRequest request() const;
  NodeId other_node(NodeId than) const;
  std::string describe() const;

  uint64_t index_;
  ClientWorld world_;
  ClientTiming timing_;
  std::optional<Workload> workload_;
  std::deque<PlannedOperation> script_;
  uint64_t stop_at_ms_ = 0;

  node::WriteIdentity session_;
  NodeId target_;
  bool in_operation_ = false;
  Operation operation_;
  // Names the attempt in flight; answers to other attempts are stale.
  uint64_t attempt_token_ = 0;
  // The highest revision an ok answer showed this client; real-time order
  // means it never goes back.
  Revision last_revision_;
  uint64_t completed_ = 0;
  uint64_t ok_ = 0;
};

}  // namespace quokka::sim
