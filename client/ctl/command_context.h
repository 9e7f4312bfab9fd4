#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "client/client.h"
#include "client/ctl/output.h"

namespace quokka::client::ctl {

// quokkactl's exit statuses: scripts branch on these.
enum ExitStatus : int {
  kExitOk = 0,
  // The operation failed and certainly did not happen.
  kExitDefiniteFailure = 1,
  // The operation failed and may have happened: read before retrying.
  kExitIndeterminate = 2,
  // `get` of a key that does not exist (stdout stays empty).
  kExitKeyNotFound = 3,
  // The command line could not be parsed (sysexits.h EX_USAGE).
  kExitUsage = 64,
};

inline constexpr const char* kDefaultEndpoints =
    "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003";

// The options every command shares, and what they build.
struct CommandContext {
  std::string endpoints = kDefaultEndpoints;
  std::string write_out = "simple";
  std::string command_timeout = "5s";
  std::string dial_timeout = "2s";
  // Set by the command that ran.
  int exit_status = kExitOk;

  // Registers --endpoints (or QUOKKA_ENDPOINTS), -w/--write-out,
  // --command-timeout and --dial-timeout on the top-level app.
  void add_global_options(CLI::App& app);

  OutputFormat format() const;
  // The client for the chosen endpoints and timeouts; on failure prints why
  // and returns null.
  std::unique_ptr<Client> connect() const;
  std::chrono::milliseconds deadline() const;
};

// Prints "Error: CODE (outcome) from endpoint: message" to stderr; returns
// the exit status for it (1 definite, 2 indeterminate).
int report_error(const ClientError& error);

// Reads all of a file, or of stdin for "-"; on failure prints why.
std::optional<std::string> read_value_source(const std::string& path);

// The VALUE of `command` (put, cas): the argument as given, standard input
// for "-", or the contents of --file `file`. On a usage error or a failed
// read prints why and returns the exit status in `exit_status`, with
// nullopt.
std::optional<std::string> value_argument(std::string_view command, const std::string& value,
                                          bool value_given, const std::string& file,
                                          int& exit_status);

}  // namespace quokka::client::ctl
