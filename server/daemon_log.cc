#include "server/daemon_log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace quokka::server {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kCritical: return spdlog::level::critical;
  }
  return spdlog::level::info;
}

}  // namespace


DaemonLog::DaemonLog(NodeId node, const LogConfig& config, std::function<uint64_t()> lamport)
    : node_(node), json_(config.format == LogFormat::kJson), lamport_(std::move(lamport)) {
  logger_ = std::make_shared<spdlog::logger>(
      "quokkad", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger_->set_level(to_spdlog(config.level));
  // The wall-clock time is for people reading the log; the causal order is
  // the Lamport time.
  if (json_) {
    logger_->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                         spdlog::pattern_time_type::utc);
  } else {
    logger_->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %L %v", spdlog::pattern_time_type::utc);
  }
  logger_->flush_on(spdlog::level::info);
}

void DaemonLog::write(spdlog::level::level_enum level, const std::string& message) {
  const uint64_t lamport = lamport_ ? lamport_() : 0;
  if (json_) {
    logger_->log(level, R"("node":{},"lamport":{},"msg":{})", node_.value(), lamport,
                 json_quote(message));
  } else {
    logger_->log(level, "node={} lamport={} {}", node_.value(), lamport, message);
  }
}

}  // namespace quokka::server
