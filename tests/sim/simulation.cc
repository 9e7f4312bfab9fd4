#include "tests/sim/simulation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <deque>
#include <memory>

#include "common/deterministic_random.h"
#include "tests/sim/checker/history_recorder.h"
#include "tests/sim/checker/linearizability_checker.h"
#include "tests/sim/fault_injector.h"
#include "tests/sim/fault_plan.h"
#include "tests/sim/scheduler.h"
#include "tests/sim/sim_client.h"
#include "tests/sim/sim_cluster.h"
#include "tests/sim/sim_probe.h"
#include "tests/sim/trace.h"
#include "tests/sim/workload.h"
#include "tests/sim/write_ledger.h"

namespace quokka::sim {

node::NodeOptions simulation_node_options() {
  node::NodeOptions options;
  options.tick_ms = 10;
  options.raft.election_timeout_ticks = 10;
  options.raft.heartbeat_ticks = 1;
  options.raft.check_invariants = true;
  options.raft.append_bytes_max = 256 * 1024;
  options.limits.value_bytes_max = 64 * 1024;
  options.limits.inline_value_bytes_max = 4 * 1024;
  options.limits.key_bytes_max = 256;
  // Snapshots, log compaction and blob collection all happen within a run.
  options.snapshot_interval_entries = 200;
  options.blob_grace_ms = 2000;
  options.blob_collect_interval_ticks = 20;
  // Runs choose forwarding themselves (SimulationOptions::forward_writes).
  options.forward_writes = false;
  // Forwards are few in a run; a small bound lets a burst reach it.
  options.forwarded_writes_max = 16;
  return options;
}

namespace {

// How often the run looks at the cluster while it waits for it.
constexpr uint64_t kPollMs = 50;

struct Shape {
  WorkloadShape workload;
  std::vector<WorkloadKind> kinds;
  uint64_t clients = 0;
};

Shape draw_shape(const SimulationOptions& options, DeterministicRandom& random) {
  Shape shape;
  shape.workload.register_keys = random.between(10, 100);
  shape.workload.shared_keys = random.between(20, 60);
  shape.workload.large_keys = random.between(2, 8);
  const node::NodeOptions node_options = simulation_node_options();
  shape.workload.value_bytes_max = node_options.limits.value_bytes_max;
  shape.workload.inline_value_bytes_max = node_options.limits.inline_value_bytes_max;
  shape.kinds.push_back(WorkloadKind::kRegisters);
  for (WorkloadKind kind : {WorkloadKind::kExactlyOnce, WorkloadKind::kSharedBlobs,
                            WorkloadKind::kLargeValues}) {
    if (random.chance(2, 3)) shape.kinds.push_back(kind);
  }
  shape.clients = random.between(std::max<uint64_t>(options.clients_min, shape.kinds.size()),
                                 std::max(options.clients_max, shape.kinds.size()));
  return shape;
}

}  // namespace

SimulationReport run_simulation(const SimulationOptions& options) {
  SimulationReport report;
  report.seed = options.seed;
  DeterministicRandom random(options.seed);
  Scheduler scheduler;
  Trace trace(options.trace_lines_kept);
  trace.set_verbose(options.verbose);
  Findings findings;
  HistoryRecorder history;
  WriteLedger ledger(findings);

  std::optional<FaultMix> mix = fault_mix_named(options.fault_mix, random);
  QUOKKA_ASSERT(mix.has_value(), "unknown fault mix \"{}\"", options.fault_mix);
  std::vector<std::string> kind_names;
  for (FaultKind kind : mix->kinds) kind_names.emplace_back(fault_kind_name(kind));
  report.fault_mix = fmt::format("{} [{}]", mix->name, fmt::join(kind_names, " "));
  const Shape shape = draw_shape(options, random);

  ClusterOptions cluster_options;
  cluster_options.node_count = options.node_count;
  cluster_options.node = simulation_node_options();
  cluster_options.node.faults = options.node_faults;
  cluster_options.node.forward_writes = options.forward_writes;
  if (options.write_values_bytes_max != 0) {
    cluster_options.node.write_values_bytes_max = options.write_values_bytes_max;
  }
  cluster_options.client_links.delay_max_ms = 3;
  SimProbe probe;
  auto cluster = std::make_unique<SimCluster>(cluster_options, scheduler, random, trace,
                                              findings, probe);
  cluster->start();

  FaultInjector injector(*cluster, scheduler, random, trace);
  const uint64_t election_timeout_ms =
      cluster_options.node.tick_ms * cluster_options.node.raft.election_timeout_ticks;
  injector.schedule(
      plan_faults(*mix, 500, options.faults_phase_ms, election_timeout_ms, random));

  const ClientWorld world{scheduler, random, trace, *cluster, history, ledger, findings};
  ClientTiming timing;
  std::vector<std::unique_ptr<SimClient>> clients;
  std::vector<std::string> workload_names;
  for (uint64_t i = 0; i < shape.clients; ++i) {
    const WorkloadKind kind = shape.kinds[i % shape.kinds.size()];
    workload_names.emplace_back(workload_kind_name(kind));
    clients.push_back(std::make_unique<SimClient>(i + 1, world, timing));
    clients.back()->run(Workload(kind, i + 1, shape.workload), options.faults_phase_ms);
  }

  // Faults phase.
  scheduler.run_until(options.faults_phase_ms);
  injector.stop();
  cluster->heal_all();
  const uint64_t healed_at = scheduler.now_ms();
  const uint64_t recovery_end = healed_at + options.recovery_budget_ms;

  // Quiesce: let every client finish what it started.
  auto clients_idle = [&] {
    for (const auto& client : clients) {
      if (client->busy()) return false;
    }
    return true;
  };
  while (!clients_idle() && scheduler.now_ms() < recovery_end) {
    scheduler.run_until(scheduler.now_ms() + kPollMs);
  }

  // A write must go through, then every key is read linearizably.
  ClientTiming final_timing = timing;
  final_timing.operation_budget_ms = recovery_end - std::min(recovery_end, scheduler.now_ms());
  final_timing.new_session_per_mille = 0;
  SimClient final_client(shape.clients + 1, world, final_timing);
  std::deque<PlannedOperation> script;
  PlannedOperation final_write;
  final_write.kind = OperationKind::kPut;
  final_write.key = "final/probe";
  final_write.token = "final";
  final_write.size = 16;
  final_write.retry_indeterminate = true;
  script.push_back(final_write);
  std::vector<std::string> keys = {final_write.key};
  for (WorkloadKind kind : shape.kinds) {
    for (std::string& key : Workload::keys(kind, shape.workload)) keys.push_back(std::move(key));
  }
  for (const std::string& key : keys) {
    PlannedOperation read;
    read.kind = OperationKind::kGet;
    read.key = key;
    script.push_back(read);
  }
  const uint64_t final_operations = script.size();
  final_client.run_script(std::move(script));
  while (final_client.busy() && scheduler.now_ms() < recovery_end) {
    scheduler.run_until(scheduler.now_ms() + kPollMs);
  }
  if (final_client.operations_ok() != final_operations) {
    findings.add(RunVerdict::kLiveness,
                 fmt::format("no progress after heal: {} of {} final operations succeeded "
                             "within {} ms",
                             final_client.operations_ok(), final_operations,
                             options.recovery_budget_ms));
  }
  bool converged = cluster->converged();
  while (!converged && scheduler.now_ms() < recovery_end) {
    scheduler.run_until(scheduler.now_ms() + kPollMs);
    converged = cluster->converged();
  }
  cluster->compare_state_hashes();
  cluster->check_values_on_majority();
  if (!converged) {
    findings.add(RunVerdict::kLiveness,
                 fmt::format("the nodes did not reach the same applied index and state "
                             "within {} ms of the heal:\n{}",
                             options.recovery_budget_ms, cluster->describe_nodes()));
  }
  report.final_nodes = cluster->describe_nodes();

  // Checks over the whole history.
  report.history = history.history();
  const CheckResult linearizability = check_linearizability(report.history);
  std::string check_note;
  if (linearizability.verdict == Verdict::kViolation ||
      linearizability.verdict == Verdict::kInvalidHistory) {
    std::string what = fmt::format("linearizability: {} on key \"{}\": {}",
                                   verdict_name(linearizability.verdict),
                                   linearizability.key, linearizability.explanation);
    for (size_t position : linearizability.operations) {
      what += "\n    " + describe_operation(position, report.history[position]);
    }
    findings.add(RunVerdict::kCorrectness, std::move(what));
  } else if (linearizability.verdict == Verdict::kUnknown) {
    check_note = " linearizability=unknown(search limit)";
  }

  for (const Operation& operation : report.history) {
    trace.fold(describe_operation(0, operation));
  }
  report.findings = findings.all();
  report.verdict = findings.verdict();
  report.fault_log = injector.log();
  report.last_events.assign(trace.last_lines().begin(), trace.last_lines().end());
  report.digest = trace.digest();
  report.simulated_ms = scheduler.now_ms();
  report.queue_items_left = probe.queue_items_left;
  report.proposals_committed = probe.proposals_committed;
  report.proposals_failed = probe.proposals_failed;
  report.values_pushed = probe.values_pushed;
  report.values_pushed_again = probe.values_pushed_again;
  report.values_requested = probe.values_requested_total;
  report.events = scheduler.events_run();
  for (const Operation& operation : report.history) {
    ++report.operations;
    if (operation.outcome == Outcome::kOk) ++report.operations_ok;
  }
  report.summary = fmt::format(
      "nodes={} mix={} workloads=[{}] clients={} faults={} ops={} ok={} writes={} "
      "simulated={}ms events={} {}{}",
      options.node_count, report.fault_mix, fmt::join(workload_names, ","), shape.clients,
      report.fault_log.size(), report.operations, report.operations_ok, ledger.writes(),
      report.simulated_ms, report.events, probe.describe(), check_note);
  report.writes_forwarded = probe.writes_forwarded;
  report.refusals_by_queue = probe.refusals_by_queue;
  report.replay_arguments = fmt::format(
      "--seed {} --nodes {}{}{}", options.seed, options.node_count,
      options.forward_writes ? " --forward-writes" : "",
      options.write_values_bytes_max != 0
          ? fmt::format(" --write-values-bytes-max {}", options.write_values_bytes_max)
          : std::string());
  // The cluster refers to the scheduler's events; it goes first.
  cluster.reset();
  return report;
}

}  // namespace quokka::sim
