#pragma once

#include <CLI/CLI.hpp>

#include "client/ctl/command_context.h"

namespace quokka::client::ctl {

// Each registers one subcommand on `app`; when it runs, it sets
// context.exit_status.
void add_put_command(CLI::App& app, CommandContext& context);
void add_get_command(CLI::App& app, CommandContext& context);
void add_delete_command(CLI::App& app, CommandContext& context);
void add_cas_command(CLI::App& app, CommandContext& context);
void add_range_command(CLI::App& app, CommandContext& context);
void add_status_command(CLI::App& app, CommandContext& context);
void add_health_command(CLI::App& app, CommandContext& context);

}  // namespace quokka::client::ctl
