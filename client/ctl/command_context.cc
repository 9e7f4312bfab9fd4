#include "client/ctl/command_context.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "client/ctl/duration_text.h"
#include "client/endpoint.h"

namespace quokka::client::ctl {

void CommandContext::add_global_options(CLI::App& app) {
  app.add_option("--endpoints", endpoints,
                 "comma-separated host:port list of the cluster's client "
                 "addresses")
      ->envname("QUOKKA_ENDPOINTS")
      ->capture_default_str();
  app.add_option("-w,--write-out", write_out, "output format")
      ->check(CLI::IsMember({"simple", "table", "json"}))
      ->capture_default_str();
  app.add_option("--command-timeout", command_timeout,
                 "deadline of each operation, retries included (e.g. 5s, 500ms)")
      ->check([](const std::string& text) {
        return parse_duration(text) ? std::string() : duration_syntax_error(text);
      })
      ->capture_default_str();
  app.add_option("--dial-timeout", dial_timeout,
                 "deadline to connect and handshake with a node (e.g. 2s)")
      ->check([](const std::string& text) {
        return parse_duration(text) ? std::string() : duration_syntax_error(text);
      })
      ->capture_default_str();
}

OutputFormat CommandContext::format() const {
  if (write_out == "json") return OutputFormat::kJson;
  if (write_out == "table") return OutputFormat::kTable;
  return OutputFormat::kSimple;
}

std::chrono::milliseconds CommandContext::deadline() const {
  return parse_duration(command_timeout).value_or(std::chrono::milliseconds(5000));
}

std::unique_ptr<Client> CommandContext::connect() const {
  ClientOptions options;
  options.endpoints = split_endpoint_list(endpoints);
  options.request_deadline_default = deadline();
  options.connect_timeout =
      parse_duration(dial_timeout).value_or(std::chrono::milliseconds(2000));
  // One attempt must not use up the whole command deadline, so a silent
  // node still leaves time for the next endpoint.
  options.retry.attempt_timeout =
      std::max(std::chrono::milliseconds(1), options.request_deadline_default / 2);
  options.agent = "quokkactl";
  Result<std::unique_ptr<Client>> client = Client::create(std::move(options));
  if (!client) {
    std::cerr << "Error: " << client.status().to_string() << "\n";
    return nullptr;
  }
  return std::move(client).value();
}

int report_error(const ClientError& error) {
  std::cerr << "Error: " << error.to_string() << "\n";
  return error.definite() ? kExitDefiniteFailure : kExitIndeterminate;
}

std::optional<std::string> value_argument(std::string_view command, const std::string& value,
                                          bool value_given, const std::string& file,
                                          int& exit_status) {
  if (!file.empty() && value_given) {
    std::cerr << "Error: give the value or --file, not both\n";
    exit_status = kExitUsage;
    return std::nullopt;
  }
  if (file.empty() && !value_given) {
    std::cerr << fmt::format("Error: {} needs a VALUE, '-' for standard input, or --file\n",
                             command);
    exit_status = kExitUsage;
    return std::nullopt;
  }
  const std::string source = !file.empty() ? file : value == "-" ? std::string("-") : "";
  if (source.empty()) return value;
  std::optional<std::string> read = read_value_source(source);
  if (!read) exit_status = kExitDefiniteFailure;
  return read;
}

std::optional<std::string> read_value_source(const std::string& path) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    if (std::cin.bad()) {
      std::cerr << "Error: cannot read the value from standard input\n";
      return std::nullopt;
    }
    return buffer.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::cerr << fmt::format("Error: cannot open {} to read the value\n", path);
    return std::nullopt;
  }
  std::string value((std::istreambuf_iterator<char>(file)),
                    std::istreambuf_iterator<char>());
  if (file.bad()) {
    std::cerr << fmt::format("Error: cannot read {}\n", path);
    return std::nullopt;
  }
  return value;
}

}  // namespace quokka::client::ctl
