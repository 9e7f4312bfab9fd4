#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "client/ctl/commands.h"

namespace quokka::client::ctl {
namespace {

std::string protocol_text(const NodeStatus& status) {
  return fmt::format("{} (speaks {})", status.chosen_protocol_version,
                     status.protocol_versions.to_string());
}

std::string json_status(const EndpointStatus& entry) {
  if (!entry.status) {
    const ClientError& error = entry.status.error();
    return fmt::format("{{\"endpoint\":{},\"error\":{{\"code\":\"{}\",\"message\":{}}}}}",
                       json_string(entry.endpoint), error_code_name(error.code),
                       json_string(error.message));
  }
  const NodeStatus& status = *entry.status;
  return fmt::format(
      "{{\"endpoint\":{},\"node_id\":{},\"role\":\"{}\",\"leader_id\":{},"
      "\"raft_term\":{},\"revision\":{},\"commit_index\":{},\"applied_index\":{},"
      "\"cluster_id\":{},\"protocol_version\":{},\"min_protocol_version\":{},"
      "\"max_protocol_version\":{},\"software_version\":{},\"stored_blob_bytes\":{}}}",
      json_string(entry.endpoint), status.header.node.value(),
      raft_role_name(status.role), status.leader.value(), status.header.term.value(),
      status.header.revision.value(), status.commit_index.value(),
      status.applied_index.value(), json_string(status.cluster_id),
      status.chosen_protocol_version, status.protocol_versions.min,
      status.protocol_versions.max, json_string(status.software_version),
      status.stored_blob_bytes);
}

int run_status(const CommandContext& context) {
  std::unique_ptr<Client> client = context.connect();
  if (!client) return kExitUsage;
  const std::vector<EndpointStatus> statuses = client->status();
  bool all_answered = true;
  for (const EndpointStatus& entry : statuses) all_answered &= entry.status.is_ok();

  switch (context.format()) {
    case OutputFormat::kSimple:
      for (const EndpointStatus& entry : statuses) {
        if (!entry.status) {
          std::cout << fmt::format("{}, error: {}\n", entry.endpoint,
                                   entry.status.error().to_string());
          continue;
        }
        const NodeStatus& status = *entry.status;
        std::cout << fmt::format(
            "{}, id {}, {}, term {}, revision {}, applied index {}, protocol {}, "
            "data {}\n",
            entry.endpoint, status.header.node.value(), raft_role_name(status.role),
            status.header.term.value(), status.header.revision.value(),
            status.applied_index.value(), protocol_text(status),
            human_bytes(status.stored_blob_bytes));
      }
      break;
    case OutputFormat::kJson: {
      std::cout << "[";
      for (size_t i = 0; i < statuses.size(); ++i) {
        if (i > 0) std::cout << ",";
        std::cout << json_status(statuses[i]);
      }
      std::cout << "]\n";
      break;
    }
    case OutputFormat::kTable: {
      TextTable table({"ENDPOINT", "ID", "ROLE", "TERM", "REVISION", "APPLIED INDEX",
                       "PROTOCOL", "DATA SIZE", "ERROR"});
      for (const EndpointStatus& entry : statuses) {
        if (!entry.status) {
          const ClientError& error = entry.status.error();
          table.add_row({entry.endpoint, "", "", "", "", "", "", "",
                         fmt::format("{}: {}", error_code_name(error.code),
                                     error.message)});
          continue;
        }
        const NodeStatus& status = *entry.status;
        table.add_row({entry.endpoint, std::to_string(status.header.node.value()),
                       std::string(raft_role_name(status.role)),
                       std::to_string(status.header.term.value()),
                       std::to_string(status.header.revision.value()),
                       std::to_string(status.applied_index.value()),
                       protocol_text(status), human_bytes(status.stored_blob_bytes),
                       ""});
      }
      table.print(std::cout);
      break;
    }
  }
  if (!all_answered) {
    for (const EndpointStatus& entry : statuses) {
      if (!entry.status) std::cerr << "Error: " << entry.status.error().to_string() << "\n";
    }
    return kExitDefiniteFailure;
  }
  return kExitOk;
}

}  // namespace

void add_status_command(CLI::App& app, CommandContext& context) {
  CLI::App* command = app.add_subcommand(
      "status", "ask every endpoint for its own status (exit 1 if any fails)");
  command->callback([&context] { context.exit_status = run_status(context); });
}

}  // namespace quokka::client::ctl
