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
  std::string value = arguments.value;
  if (!arguments.file.empty() && value_given) {
    std::cerr << "Error: give the value or --file, not both\n";
    return kExitUsage;
  }
  if (arguments.file.empty() && !value_given) {
    std::cerr << "Error: put needs a VALUE, '-' for standard input, or --file\n";
    return kExitUsage;
  }
  const std::string source = !arguments.file.empty() ? arguments.file
                             : value == "-"          ? std::string("-")
                                                     : std::string();
  if (!source.empty()) {
    std::optional<std::string> read = read_value_source(source);
    if (!read) return kExitDefiniteFailure;
    value = std::move(*read);
  }
  std::unique_ptr<Client> client = context.connect();
  if (!client) return kExitUsage;
  ClientResult<PutResult> result = client->put(arguments.key, std::move(value));
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
