#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "client/ctl/commands.h"

namespace quokka::client::ctl {
namespace {

int run_delete(const CommandContext& context, const std::string& key) {
  std::unique_ptr<Client> client = context.connect();
  if (!client) return kExitUsage;
  ClientResult<DeleteResult> result = client->del(key);
  if (!result) return report_error(result.error());
  const int deleted = result->existed ? 1 : 0;
  switch (context.format()) {
    case OutputFormat::kSimple:
      // As etcdctl: the number of keys deleted.
      std::cout << deleted << "\n";
      break;
    case OutputFormat::kJson:
      std::cout << fmt::format("{{\"header\":{},\"deleted\":{}}}\n",
                               json_header(result->header), deleted);
      break;
    case OutputFormat::kTable: {
      TextTable table({"KEY", "DELETED", "REVISION"});
      table.add_row({printable(key), std::to_string(deleted),
                     std::to_string(result->header.revision.value())});
      table.print(std::cout);
      break;
    }
  }
  return kExitOk;
}

}  // namespace

void add_delete_command(CLI::App& app, CommandContext& context) {
  auto key = std::make_shared<std::string>();
  CLI::App* command =
      app.add_subcommand("del", "delete a key (a missing key is not an error)");
  command->add_option("KEY", *key, "the key")->required();
  command->callback([&context, key] { context.exit_status = run_delete(context, *key); });
}

}  // namespace quokka::client::ctl
