#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "client/ctl/commands.h"

namespace quokka::client::ctl {

namespace {

struct CasArguments {
  std::string key;
  uint64_t expected_revision = 0;
  std::string value;
  std::string file;
};

int run_cas(const CommandContext& context, const CasArguments& arguments,
            bool value_given) {
  int exit_status = kExitOk;
  std::optional<std::string> value =
      value_argument("cas", arguments.value, value_given, arguments.file, exit_status);
  if (!value) return exit_status;
  std::unique_ptr<Client> client = context.connect();
  if (!client) return kExitUsage;
  ClientResult<CompareAndSwapResult> result = client->compare_and_swap(
      arguments.key, Revision(arguments.expected_revision), std::move(*value));
  if (!result) {
    const ClientError& error = result.error();
    if (error.code == ErrorCode::kCasMismatch) {
      std::cerr << fmt::format(
          "Error: CAS_MISMATCH: key {} has mod_revision {}, not the expected {}{}\n",
          printable(arguments.key), error.actual_mod_revision.value(),
          arguments.expected_revision,
          error.actual_mod_revision.value() == 0 ? " (the key does not exist)" : "");
      return kExitDefiniteFailure;
    }
    return report_error(error);
  }
  print_written(context.format(), result->header, result->kv);
  return kExitOk;
}

}  // namespace

void add_cas_command(CLI::App& app, CommandContext& context) {
  auto arguments = std::make_shared<CasArguments>();
  CLI::App* command = app.add_subcommand(
      "cas", "write a key's value only if its mod_revision is the expected one");
  command->add_option("KEY", arguments->key, "the key")->required();
  CLI::Option* value = command->add_option(
      "VALUE", arguments->value, "the new value; '-' reads it from standard input");
  command
      ->add_option("--expect-revision", arguments->expected_revision,
                   "the key's mod_revision to expect; 0 = the key must not exist")
      ->required();
  command->add_option("--file", arguments->file, "read the value from this file");
  command->callback([&context, arguments, value] {
    context.exit_status = run_cas(context, *arguments, value->count() > 0);
  });
}

}  // namespace quokka::client::ctl
