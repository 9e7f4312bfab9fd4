#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "client/ctl/commands.h"

namespace quokka::client::ctl {
namespace {

struct PutArguments {
  std::string key;
  std::string value;
  std::string file;
};

int run_put(const CommandContext& context, const PutArguments& arguments,
            bool value_given) {
  int exit_status = kExitOk;
  std::optional<std::string> value =
      value_argument("put", arguments.value, value_given, arguments.file, exit_status);
  if (!value) return exit_status;
  std::unique_ptr<Client> client = context.connect();
  if (!client) return kExitUsage;
  ClientResult<PutResult> result = client->put(arguments.key, std::move(*value));
  if (!result) return report_error(result.error());
  print_written(context.format(), result->header, result->kv);
  return kExitOk;
}

}  // namespace

void add_put_command(CLI::App& app, CommandContext& context) {
  auto arguments = std::make_shared<PutArguments>();
  CLI::App* command = app.add_subcommand("put", "write a key's value");
  command->add_option("KEY", arguments->key, "the key")->required();
  CLI::Option* value = command->add_option(
      "VALUE", arguments->value, "the value; '-' reads it from standard input");
  command->add_option("--file", arguments->file, "read the value from this file");
  command->callback([&context, arguments, value] {
    context.exit_status = run_put(context, *arguments, value->count() > 0);
  });
}

}  // namespace quokka::client::ctl
