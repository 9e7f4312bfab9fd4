#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "client/ctl/commands.h"

namespace quokka::client::ctl {
namespace {

struct GetArguments {
  std::string key;
  bool stale = false;
  uint64_t min_revision = 0;
  bool print_value_only = false;
};

int run_get(const CommandContext& context, const GetArguments& arguments) {
  std::unique_ptr<Client> client = context.connect();
  if (!client) return kExitUsage;
  GetOptions options;
  options.consistency = arguments.stale ? Consistency::kStale : Consistency::kLinearizable;
  options.min_revision = Revision(arguments.min_revision);
  ClientResult<GetResult> result = client->get(arguments.key, options);
  if (!result) return report_error(result.error());
  const GetResult& get = *result;
  switch (context.format()) {
    case OutputFormat::kSimple:
      if (get.kv) {
        if (!arguments.print_value_only) std::cout << get.kv->key << "\n";
        std::cout << get.kv->value << "\n";
      }
      break;
    case OutputFormat::kJson:
      std::cout << fmt::format("{{\"header\":{},\"found\":{}", json_header(get.header),
                               get.kv ? "true" : "false");
      if (get.kv) std::cout << ",\"kv\":" << json_key_value(*get.kv, true);
      std::cout << "}\n";
      break;
    case OutputFormat::kTable: {
      if (!get.kv) break;
      TextTable table({"KEY", "VALUE", "CREATE REVISION", "MOD REVISION", "VERSION"});
      table.add_row({printable(get.kv->key), printable(get.kv->value),
                     std::to_string(get.kv->create_revision.value()),
                     std::to_string(get.kv->mod_revision.value()),
                     std::to_string(get.kv->version)});
      table.print(std::cout);
      break;
    }
  }
  // docs/decisions.md: a missing key exits 3 with nothing on stdout, so a
  // script can tell it from an empty value without parsing anything.
  return get.kv ? kExitOk : kExitKeyNotFound;
}

}  // namespace

void add_get_command(CLI::App& app, CommandContext& context) {
  auto arguments = std::make_shared<GetArguments>();
  CLI::App* command = app.add_subcommand(
      "get", "read a key (exit status 3 when it does not exist)");
  command->add_option("KEY", arguments->key, "the key")->required();
  command->add_flag("--stale", arguments->stale,
                    "read the answering node's applied state (may lag) instead "
                    "of a linearizable read");
  command->add_option("--min-revision", arguments->min_revision,
                      "with --stale: wait until the node has applied this revision");
  command->add_flag("--print-value-only", arguments->print_value_only,
                    "simple output: print only the value");
  command->callback(
      [&context, arguments] { context.exit_status = run_get(context, *arguments); });
}

}  // namespace quokka::client::ctl
