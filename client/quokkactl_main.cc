// quokkactl: the command line for a quokka cluster.
//
// Exit statuses: 0 success; 1 the operation failed and certainly did not
// happen; 2 it failed and may have happened (read before retrying); 3 `get`
// of a missing key; 64 the command line could not be parsed.

#include <CLI/CLI.hpp>

#include "client/ctl/command_context.h"
#include "client/ctl/commands.h"

int main(int argc, char** argv) {
  using namespace quokka::client::ctl;
  CLI::App app{"quokkactl: read, write and inspect a quokka cluster"};
  app.require_subcommand(1);
  CommandContext context;
  context.add_global_options(app);
  add_put_command(app, context);
  add_get_command(app, context);
  add_delete_command(app, context);
  add_cas_command(app, context);
  add_range_command(app, context);
  add_status_command(app, context);
  add_health_command(app, context);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version are "errors" with status 0; every other parse
    // error is a usage error.
    const int status = app.exit(error);
    return status == 0 ? kExitOk : kExitUsage;
  }
  return context.exit_status;
}
