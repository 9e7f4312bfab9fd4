#include "client/bench/bench_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "client/endpoint.h"
#include "common/json_quote.h"
#include "config/limits_config.h"

namespace quokka::client::bench {
namespace {

Status invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

Status integer_out_of_range(std::string_view flag, int64_t value, int64_t lo,
                            int64_t hi, std::string_view unit = {}) {
  return invalid(fmt::format("{} {} is out of range: allowed {}..{}{}", flag,
                             value, lo, hi, unit));
}

Status seconds_out_of_range(std::string_view flag, double value, double lo,
                            double hi) {
  return invalid(fmt::format("{} {:g} is out of range: allowed {:g}..{:g} seconds",
                             flag, value, lo, hi));
}

bool within(double value, double lo, double hi) {
  // NaN fails both comparisons and is refused.
  return value >= lo && value <= hi;
}

std::chrono::nanoseconds to_nanoseconds(double seconds) {
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(seconds * 1e9)));
}

}  // namespace

std::string_view bench_operation_name(BenchOperation operation) {
  switch (operation) {
    case BenchOperation::kPut: return "put";
    case BenchOperation::kGet: return "get";
    case BenchOperation::kMixed: return "mixed";
    case BenchOperation::kCompareAndSwap: return "cas";
  }
  return "unknown";
}

bool operation_writes(BenchOperation operation) {
  return operation != BenchOperation::kGet;
}

bool operation_needs_preload(BenchOperation operation) {
  return operation == BenchOperation::kGet || operation == BenchOperation::kMixed;
}

std::string_view bench_target_name(BenchTarget target) {
  return target == BenchTarget::kEtcd ? "etcd" : "quokka";
}

std::string_view consistency_name(Consistency consistency) {
  return consistency == Consistency::kStale ? "stale" : "linearizable";
}

Result<BenchOptions> make_bench_options(const BenchArguments& arguments) {
  BenchOptions options;
  const LimitsConfig limits;

  if (arguments.target == "quokka") {
    options.target = BenchTarget::kQuokka;
  } else if (arguments.target == "etcd") {
    if (!kEtcdTargetBuilt) return invalid(kEtcdMissingMessage);
    options.target = BenchTarget::kEtcd;
  } else {
    return invalid(fmt::format("--target {} is not a store: allowed quokka, etcd",
                               json_quote(arguments.target)));
  }

  options.endpoints = split_endpoint_list(arguments.endpoints);
  if (options.endpoints.empty()) {
    return invalid(
        "--endpoints is empty: give at least one host:port (or set QUOKKA_ENDPOINTS)");
  }
  for (const std::string& endpoint : options.endpoints) {
    Result<Endpoint> parsed = parse_endpoint(endpoint);
    if (!parsed) return invalid("--endpoints: " + parsed.status().message());
  }

  if (arguments.operation == "put") {
    options.operation = BenchOperation::kPut;
  } else if (arguments.operation == "get") {
    options.operation = BenchOperation::kGet;
  } else if (arguments.operation == "mixed") {
    options.operation = BenchOperation::kMixed;
  } else if (arguments.operation == "cas") {
    options.operation = BenchOperation::kCompareAndSwap;
  } else {
    return invalid(fmt::format("--op {} is not an operation: allowed put, get, mixed, cas",
                               json_quote(arguments.operation)));
  }

  if (options.target == BenchTarget::kEtcd &&
      options.operation == BenchOperation::kCompareAndSwap) {
    return invalid("--op cas is not driven against etcd: allowed put, get, mixed");
  }

  if (arguments.consistency == "linearizable") {
    options.consistency = Consistency::kLinearizable;
  } else if (arguments.consistency == "stale") {
    options.consistency = Consistency::kStale;
  } else {
    return invalid(fmt::format(
        "--consistency {} is not a consistency: allowed linearizable, stale",
        json_quote(arguments.consistency)));
  }

  const auto value_bytes_max = static_cast<int64_t>(limits.value_bytes_max);
  if (arguments.value_size < 0 || arguments.value_size > value_bytes_max) {
    return integer_out_of_range("--value-size", arguments.value_size, 0,
                                value_bytes_max, " bytes (the value size limit)");
  }
  options.value_size = static_cast<uint64_t>(arguments.value_size);

  if (arguments.keys < 1 || arguments.keys > kKeysMax) {
    return integer_out_of_range("--keys", arguments.keys, 1, kKeysMax);
  }
  options.keys = static_cast<uint64_t>(arguments.keys);

  if (arguments.clients < 1 || arguments.clients > kClientsMax) {
    return integer_out_of_range("--clients", arguments.clients, 1, kClientsMax);
  }
  options.clients = static_cast<uint32_t>(arguments.clients);

  // Logical clients share connections (Clients, each with its own I/O
  // thread); a Client that writes runs one write session per logical client
  // it serves, so no logical client's write waits behind another's inside
  // the client library.
  const int64_t most = std::min(arguments.clients, kConnectionsMax);
  if (arguments.connections == 0) {
    options.connections =
        static_cast<uint32_t>(std::min<int64_t>(arguments.clients, kConnectionsDefault));
  } else if (arguments.connections < 1 || arguments.connections > most) {
    return invalid(fmt::format(
        "--conns {} is out of range: allowed 1..{} (at most --clients, {}, and at "
        "most {})",
        arguments.connections, most, arguments.clients, kConnectionsMax));
  } else {
    options.connections = static_cast<uint32_t>(arguments.connections);
  }
  const uint64_t per_connection =
      (options.clients + options.connections - 1) / options.connections;
  if (operation_writes(options.operation) && per_connection > kWriteSessionsMax) {
    return invalid(fmt::format(
        "--clients {} over --conns {} puts {} writing logical clients on one "
        "connection: allowed at most {} (a Client's write sessions); give more --conns",
        options.clients, options.connections, per_connection, kWriteSessionsMax));
  }

  if (!within(arguments.duration_seconds, kDurationSecondsMin, kDurationSecondsMax)) {
    return seconds_out_of_range("--duration", arguments.duration_seconds,
                                kDurationSecondsMin, kDurationSecondsMax);
  }
  options.duration = to_nanoseconds(arguments.duration_seconds);

  if (!within(arguments.warmup_seconds, 0, kWarmupSecondsMax)) {
    return seconds_out_of_range("--warmup", arguments.warmup_seconds, 0,
                                kWarmupSecondsMax);
  }
  options.warmup = to_nanoseconds(arguments.warmup_seconds);

  if (arguments.rate_given) {
    if (!within(arguments.rate, kRateMin, kRateMax)) {
      return invalid(fmt::format(
          "--rate {:g} is out of range: allowed {:.0f}..{:.0f} operations per second "
          "(leave it out for a closed loop)",
          arguments.rate, kRateMin, kRateMax));
    }
    options.rate = arguments.rate;
  }

  if (arguments.read_percent_given && options.operation != BenchOperation::kMixed) {
    return invalid(fmt::format("--read-percent {} applies to --op mixed only, not --op {}",
                               arguments.read_percent,
                               bench_operation_name(options.operation)));
  }
  if (arguments.read_percent < 0 || arguments.read_percent > 100) {
    return integer_out_of_range("--read-percent", arguments.read_percent, 0, 100);
  }
  options.read_percent = static_cast<uint32_t>(arguments.read_percent);

  if (!within(arguments.timeout_seconds, kTimeoutSecondsMin, kTimeoutSecondsMax)) {
    return seconds_out_of_range("--timeout", arguments.timeout_seconds,
                                kTimeoutSecondsMin, kTimeoutSecondsMax);
  }
  options.timeout = std::chrono::milliseconds(
      std::max<int64_t>(1, std::llround(arguments.timeout_seconds * 1000)));

  const uint64_t prefix_bytes_max = limits.key_bytes_max - kKeyIndexDigits;
  if (arguments.key_prefix.size() > prefix_bytes_max) {
    return invalid(fmt::format(
        "--key-prefix is {} bytes long: allowed 0..{} bytes (the key size limit {} "
        "minus {} digits of the key number)",
        arguments.key_prefix.size(), prefix_bytes_max, limits.key_bytes_max,
        kKeyIndexDigits));
  }
  options.key_prefix = arguments.key_prefix;
  options.seed = arguments.seed;
  options.json = arguments.json;
  return options;
}

}  // namespace quokka::client::bench
