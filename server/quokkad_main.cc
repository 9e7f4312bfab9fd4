// quokkad: one node of a quokka cluster. A thin main: read the
// configuration, open the server, run it until SIGTERM.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config_loader.h"
#include "server/server.h"

int main(int argc, char** argv) {
  CLI::App app{"quokkad: a node of a quokka cluster"};
  std::optional<std::string> config_path;
  std::vector<std::string> overrides;
  std::optional<uint64_t> node_id;
  std::optional<std::string> data_dir;
  std::optional<std::string> log_format;
  app.add_option("-c,--config", config_path, "TOML configuration file")->check(CLI::ExistingFile);
  app.add_option("--set", overrides,
                 "override one setting, e.g. --set limits.value_bytes_max=1048576 (repeatable)");
  app.add_option("--node-id", node_id, "same as --set node.id=N");
  app.add_option("--data-dir", data_dir, "same as --set node.data_dir=DIR");
  app.add_option("--log-format", log_format, "text or json; same as --set log.format=F");
  CLI11_PARSE(app, argc, argv);

  // Flags come after --set, so they win, as the help text promises.
  if (node_id) overrides.push_back("node.id=" + std::to_string(*node_id));
  if (data_dir) overrides.push_back("node.data_dir=" + *data_dir);
  if (log_format) overrides.push_back("log.format=" + *log_format);

  std::optional<std::filesystem::path> path;
  if (config_path) path = *config_path;
  quokka::Result<quokka::NodeConfig> config = quokka::load_config(path, overrides);
  if (!config.is_ok()) {
    std::fprintf(stderr, "quokkad: %s\n", config.status().message().c_str());
    return 64;
  }
  quokka::Result<std::unique_ptr<quokka::server::Server>> server =
      quokka::server::Server::open(*config);
  if (!server.is_ok()) {
    std::fprintf(stderr, "quokkad: %s\n", server.status().to_string().c_str());
    return 1;
  }
  return (*server)->run();
}
