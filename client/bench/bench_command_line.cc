#include "client/bench/bench_command_line.h"

namespace quokka::client::bench {

void add_bench_options(CLI::App& app, BenchArguments& arguments) {
  arguments.endpoints = "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003";
  app.add_option("--endpoints", arguments.endpoints,
                 "comma-separated host:port list of the cluster's client addresses")
      ->envname("QUOKKA_ENDPOINTS")
      ->capture_default_str();
  app.add_option("--target", arguments.target,
                 "the store: quokka, or etcd (its v3 gRPC API; builds with gRPC only)")
      ->capture_default_str();
  app.add_option("--op", arguments.operation, "put, get, mixed or cas")
      ->capture_default_str();
  app.add_option("--consistency", arguments.consistency,
                 "reads: linearizable or stale")
      ->capture_default_str();
  app.add_option("--value-size", arguments.value_size, "bytes per value")
      ->capture_default_str();
  app.add_option("--keys", arguments.keys,
                 "distinct keys, chosen uniformly (preloaded for get and mixed)")
      ->capture_default_str();
  app.add_option("--clients", arguments.clients,
                 "logical clients: requests outstanding at once, each waiting for "
                 "its answer before the next")
      ->capture_default_str();
  app.add_option("--conns", arguments.connections,
                 "connections (each with its own I/O thread) the logical clients "
                 "share (default: min(clients, 4))");
  app.add_option("--duration", arguments.duration_seconds, "measured seconds")
      ->capture_default_str();
  app.add_option("--warmup", arguments.warmup_seconds,
                 "seconds of load before the measured window")
      ->capture_default_str();
  app.add_option("--rate", arguments.rate,
                 "open loop: requests per second over all logical clients, latency "
                 "counted from each request's due time (default: closed loop)");
  app.add_option("--read-percent", arguments.read_percent,
                 "--op mixed: percent of requests that are gets (default 50)");
  app.add_option("--timeout", arguments.timeout_seconds,
                 "deadline of every request in seconds, retries included")
      ->capture_default_str();
  app.add_option("--key-prefix", arguments.key_prefix, "prefix of every key")
      ->capture_default_str();
  app.add_option("--seed", arguments.seed, "seed of the key choice and the values")
      ->capture_default_str();
  app.add_flag("--json", arguments.json,
               "print the result as one JSON line instead of the table");
}

void note_given_options(const CLI::App& app, BenchArguments& arguments) {
  arguments.rate_given = app.count("--rate") > 0;
  arguments.read_percent_given = app.count("--read-percent") > 0;
}

}  // namespace quokka::client::bench
