#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/json_quote.h"
#include "common/types.h"
#include "config/log_config.h"

namespace quokka::server {

// The daemon's log: every line carries the node id and the node's Lamport
// time (DESIGN.md principle 2), so lines of several nodes merge into one
// causal order. Text for people, one JSON object per line for machines.
class DaemonLog {
 public:
  DaemonLog(NodeId node, const LogConfig& config, std::function<uint64_t()> lamport);

  template <typename... Args>
  void info(fmt::format_string<Args...> format, Args&&... args) {
    write(spdlog::level::info, fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void warn(fmt::format_string<Args...> format, Args&&... args) {
    write(spdlog::level::warn, fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void error(fmt::format_string<Args...> format, Args&&... args) {
    write(spdlog::level::err, fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void debug(fmt::format_string<Args...> format, Args&&... args) {
    write(spdlog::level::debug, fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  void write(spdlog::level::level_enum level, const std::string& message);

  NodeId node_;
  bool json_;
  std::function<uint64_t()> lamport_;
  std::shared_ptr<spdlog::logger> logger_;
};

using ::quokka::json_quote;

}  // namespace quokka::server
