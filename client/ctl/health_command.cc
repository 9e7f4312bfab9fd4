#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "client/ctl/commands.h"

namespace quokka::client::ctl {
namespace {

// The key the health check reads; it need not exist (as etcdctl's
// "endpoint health" reads "health").
constexpr const char* kHealthKey = "health";

int run_health(const CommandContext& context) {
  std::unique_ptr<Client> client = context.connect();
  if (!client) return kExitUsage;

  std::string leader_text;
  for (const EndpointStatus& entry : client->status()) {
    if (entry.status && entry.status->role == RaftRole::kLeader) {
      leader_text = fmt::format("leader {} at {}, term {}",
                                entry.status->header.node.value(), entry.endpoint,
                                entry.status->header.term.value());
      break;
    }
  }
  std::string read_text;
  std::string problem;
  if (leader_text.empty()) {
    problem = "no endpoint reports itself leader";
  } else {
    const auto started = std::chrono::steady_clock::now();
    ClientResult<GetResult> read = client->get(kHealthKey);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (read) {
      read_text = fmt::format("linearizable read at revision {} took {} ms",
                              read->header.revision.value(), took.count());
    } else {
      problem = "linearizable read failed: " + read.error().to_string();
    }
  }
  const bool healthy = problem.empty();
  switch (context.format()) {
    case OutputFormat::kJson:
      std::cout << fmt::format("{{\"healthy\":{},\"detail\":{}}}\n",
                               healthy ? "true" : "false",
                               json_string(healthy ? leader_text + "; " + read_text
                                                   : problem));
      break;
    case OutputFormat::kTable: {
      TextTable table({"HEALTHY", "DETAIL"});
      table.add_row({healthy ? "true" : "false",
                     healthy ? leader_text + "; " + read_text : problem});
      table.print(std::cout);
      break;
    }
    case OutputFormat::kSimple:
      if (healthy) {
        std::cout << fmt::format("cluster is healthy: {}; {}\n", leader_text, read_text);
      } else {
        std::cout << fmt::format("cluster is unhealthy: {}\n", problem);
      }
      break;
  }
  return healthy ? kExitOk : kExitDefiniteFailure;
}

}  // namespace

void add_health_command(CLI::App& app, CommandContext& context) {
  CLI::App* command = app.add_subcommand(
      "health",
      "exit 0 only if some endpoint is leader and a linearizable read succeeds");
  command->callback([&context] { context.exit_status = run_health(context); });
}

}  // namespace quokka::client::ctl
