#include "client/bench/bench_report.h"

#include <fmt/format.h>

#include "common/json_quote.h"

namespace quokka::client::bench {
namespace {

double seconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

double microseconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double, std::micro>(duration).count();
}

double milliseconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

std::string latency_row(const LatencySummary& latency) {
  return fmt::format("p0 {:.3f}  p50 {:.3f}  p95 {:.3f}  p99 {:.3f}  p100 {:.3f}  "
                     "mean {:.3f} ms",
                     milliseconds(latency.p0), milliseconds(latency.p50),
                     milliseconds(latency.p95), milliseconds(latency.p99),
                     milliseconds(latency.p100), milliseconds(latency.mean));
}

std::string latency_json(const LatencySummary& latency) {
  return fmt::format(
      R"({{"count":{},"p0":{:.1f},"p50":{:.1f},"p95":{:.1f},"p99":{:.1f},"p100":{:.1f},"mean":{:.1f}}})",
      latency.count, microseconds(latency.p0), microseconds(latency.p50),
      microseconds(latency.p95), microseconds(latency.p99), microseconds(latency.p100),
      microseconds(latency.mean));
}

std::string counted(uint64_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

std::string loop_text(const BenchOptions& options) {
  return options.open_loop() ? fmt::format("open loop at {:g} ops/s", options.rate)
                             : std::string("closed loop");
}

double cores_used(const RunResult& result) {
  const double window = seconds(result.window_length);
  return window > 0 ? seconds(result.cpu.total()) / window : 0.0;
}

double cpu_microseconds_per_operation(const RunResult& result) {
  const uint64_t operations =
      result.window.succeeded.count() + result.window.failed.count();
  if (operations == 0) return 0.0;
  return static_cast<double>(result.cpu.total().count()) / static_cast<double>(operations);
}

}  // namespace

double throughput(const RunResult& result) {
  const double window = seconds(result.window_length);
  return window > 0 ? static_cast<double>(result.window.succeeded.count()) / window : 0.0;
}

std::string format_progress_line(std::chrono::nanoseconds since_start,
                                 bool measuring, double operations_per_second,
                                 uint64_t interval_errors, uint64_t total_errors) {
  return fmt::format("[{:6.1f} s] {:<7} {:10.0f} ops/s  {} errors (total {})",
                     seconds(since_start), measuring ? "measure" : "warmup",
                     operations_per_second, interval_errors, total_errors);
}

std::string format_report_table(const RunResult& result) {
  const BenchOptions& options = result.options;
  const WindowStatistics& window = result.window;
  std::string table;
  auto row = [&table](std::string_view name, const std::string& text) {
    table += fmt::format("{:<18} {}\n", name, text);
  };
  std::string workload = fmt::format(
      "{}{}, {} B values, {} keys", bench_operation_name(options.operation),
      options.operation == BenchOperation::kMixed
          ? fmt::format(" ({}% gets)", options.read_percent)
          : std::string(),
      options.value_size, options.keys);
  if (options.operation != BenchOperation::kPut &&
      options.operation != BenchOperation::kCompareAndSwap) {
    workload += fmt::format(", {} reads", consistency_name(options.consistency));
  }
  row("target", std::string(bench_target_name(options.target)));
  row("workload", workload);
  row("load", fmt::format("{} over {}, {}, timeout {} ms",
                          counted(options.clients, "logical client"),
                          counted(options.connections, "connection"), loop_text(options),
                          options.timeout.count()));
  row("window", fmt::format("{:.2f} s after {:.2f} s of warmup",
                            seconds(result.window_length), seconds(options.warmup)));
  row("requests", fmt::format("{} ok, {} failed", window.succeeded.count(),
                              window.failed_count()));
  row("throughput", fmt::format("{:.1f} ops/s", throughput(result)));
  row("latency ok", latency_row(window.succeeded.summary()));
  if (window.failed_count() > 0) {
    row("latency failed", latency_row(window.failed.summary()));
  }
  std::string errors;
  for (size_t code = 0; code < window.failed_by_code.size(); ++code) {
    if (window.failed_by_code[code] == 0) continue;
    if (!errors.empty()) errors += ", ";
    errors += fmt::format("{} {}", error_code_name(static_cast<ErrorCode>(code)),
                          window.failed_by_code[code]);
  }
  if (errors.empty()) errors = "none";
  if (window.indeterminate > 0) {
    errors += fmt::format(" ({} indeterminate)", window.indeterminate);
  }
  row("errors", errors);
  if (window.missing > 0) {
    row("missing keys", fmt::format("{} gets found no value", window.missing));
  }
  row("generator cpu",
      fmt::format("user {:.2f} s, system {:.2f} s: {:.2f} of {} cores, {:.1f} us/request",
                  seconds(result.cpu.user), seconds(result.cpu.system),
                  cores_used(result), result.hardware_threads,
                  cpu_microseconds_per_operation(result)));
  row("drain", fmt::format("{:.3f} s, {} requests abandoned", seconds(result.drain),
                           result.abandoned));
  if (result.client_stats) {
    // The client library's own view, over the whole run: what the
    // application would read from Client::stats().
    const ClientStats& stats = *result.client_stats;
    for (size_t i = 0; i < kOperationCount; ++i) {
      const OperationStats& of = stats.operations[i];
      if (of.started == 0) continue;
      row(fmt::format("client {}", operation_name(static_cast<Operation>(i))),
          fmt::format("{} started, {} ok, {} failed ({} indeterminate), {} retries, "
                      "{} leader hints followed, p50 <= {:.3f} ms, p99 <= {:.3f} ms",
                      of.started, of.succeeded, of.failed, of.indeterminate, of.retries,
                      of.leader_hints_followed, milliseconds(of.latency.quantile(0.5)),
                      milliseconds(of.latency.quantile(0.99))));
    }
    row("client conns", fmt::format("{} opened, {} failed to open",
                                    stats.connections_opened, stats.connection_failures));
  }
  return table;
}

std::string format_report_json(const RunResult& result) {
  const BenchOptions& options = result.options;
  const WindowStatistics& window = result.window;
  std::string errors;
  for (size_t code = 0; code < window.failed_by_code.size(); ++code) {
    if (window.failed_by_code[code] == 0) continue;
    if (!errors.empty()) errors += ",";
    errors += fmt::format("{}:{}", json_quote(error_code_name(static_cast<ErrorCode>(code))),
                          window.failed_by_code[code]);
  }
  std::string json = "{";
  json += fmt::format(R"("target":{},)", json_quote(bench_target_name(options.target)));
  json += fmt::format(R"("op":{},"consistency":{},"value_size":{},"keys":{},)",
                      json_quote(bench_operation_name(options.operation)),
                      json_quote(consistency_name(options.consistency)),
                      options.value_size, options.keys);
  if (options.operation == BenchOperation::kMixed) {
    json += fmt::format(R"("read_percent":{},)", options.read_percent);
  }
  json += fmt::format(R"("clients":{},"conns":{},"rate":{},"timeout_s":{:.3f},)",
                      options.clients, options.connections,
                      options.open_loop() ? fmt::format("{:g}", options.rate)
                                          : std::string("null"),
                      std::chrono::duration<double>(options.timeout).count());
  json += fmt::format(R"("warmup_s":{:.3f},"window_s":{:.3f},)", seconds(options.warmup),
                      seconds(result.window_length));
  json += fmt::format(R"("ok":{},"failed":{},"throughput_ops_per_s":{:.1f},)",
                      window.succeeded.count(), window.failed_count(), throughput(result));
  json += fmt::format(R"("latency_us":{},"failed_latency_us":{},)",
                      latency_json(window.succeeded.summary()),
                      latency_json(window.failed.summary()));
  json += fmt::format(R"("errors":{{{}}},"indeterminate":{},"missing":{},)", errors,
                      window.indeterminate, window.missing);
  json += fmt::format(
      R"("cpu":{{"user_s":{:.3f},"system_s":{:.3f},"cores_used":{:.3f},"cores":{},"us_per_request":{:.1f}}},)",
      seconds(result.cpu.user), seconds(result.cpu.system), cores_used(result),
      result.hardware_threads, cpu_microseconds_per_operation(result));
  json += fmt::format(R"("drain_s":{:.3f},"abandoned":{})", seconds(result.drain),
                      result.abandoned);
  if (result.client_stats) {
    std::string operations;
    for (size_t i = 0; i < kOperationCount; ++i) {
      const OperationStats& of = result.client_stats->operations[i];
      if (of.started == 0) continue;
      if (!operations.empty()) operations += ",";
      operations += fmt::format(
          R"({}:{{"started":{},"ok":{},"failed":{},"indeterminate":{},"retries":{},"leader_hints_followed":{},"p50_us_at_most":{},"p99_us_at_most":{}}})",
          json_quote(operation_name(static_cast<Operation>(i))), of.started, of.succeeded,
          of.failed, of.indeterminate, of.retries, of.leader_hints_followed,
          std::chrono::duration_cast<std::chrono::microseconds>(of.latency.quantile(0.5)).count(),
          std::chrono::duration_cast<std::chrono::microseconds>(of.latency.quantile(0.99)).count());
    }
    json += fmt::format(R"(,"client":{{"operations":{{{}}},"connections_opened":{}}})",
                        operations, result.client_stats->connections_opened);
  }
  json += "}";
  return json;
}

}  // namespace quokka::client::bench
