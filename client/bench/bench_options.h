#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/client.h"
#include "common/status.h"

namespace quokka::client::bench {

// What each request of a run does.
enum class BenchOperation : uint8_t {
  kPut,
  // Reads of preloaded keys.
  kGet,
  // Gets and puts, --read-percent of them gets, over preloaded keys.
  kMixed,
  // Compare-and-swap on the key's last mod_revision this logical client saw
  // (0, "must not exist", the first time); a lost race is a CAS_MISMATCH.
  kCompareAndSwap,
};

// The store a run drives.
enum class BenchTarget : uint8_t {
  kQuokka,
  // etcd's v3 gRPC KV API; only in a build with gRPC (kEtcdTargetBuilt).
  kEtcd,
};
#if QUOKKA_BENCH_ETCD
inline constexpr bool kEtcdTargetBuilt = true;
#else
inline constexpr bool kEtcdTargetBuilt = false;
#endif
inline constexpr const char* kEtcdMissingMessage =
    "--target etcd needs a quokka-bench built with gRPC (Debian packages "
    "libgrpc++-dev and protobuf-compiler-grpc), and this one was built without";

// "put", "get", "mixed", "cas".
std::string_view bench_operation_name(BenchOperation operation);
bool operation_writes(BenchOperation operation);
bool operation_needs_preload(BenchOperation operation);

// The limits of every argument, inclusive; errors quote them.
inline constexpr int64_t kKeysMax = 10'000'000;
inline constexpr int64_t kClientsMax = 10'000;
// Each connection is a Client with its own I/O thread.
inline constexpr int64_t kConnectionsMax = 256;
inline constexpr double kDurationSecondsMin = 0.1;
inline constexpr double kDurationSecondsMax = 3600;
inline constexpr double kWarmupSecondsMax = 600;
inline constexpr double kRateMin = 1;
inline constexpr double kRateMax = 10'000'000;
inline constexpr double kTimeoutSecondsMin = 0.01;
inline constexpr double kTimeoutSecondsMax = 300;
inline constexpr uint64_t kKeyIndexDigits = 10;
// What a run uses when --conns is not given: enough I/O threads to keep a
// few cores busy, few enough not to measure thread switching.
inline constexpr int64_t kConnectionsDefault = 4;

// The command line as typed, before any check: numbers are wide and signed
// so that an out-of-range value is reported with its range rather than as a
// conversion failure.
struct BenchArguments {
  std::string target = "quokka";
  std::string endpoints;
  std::string operation = "put";
  std::string consistency = "linearizable";
  int64_t value_size = 256;
  int64_t keys = 1000;
  int64_t clients = 1;
  // 0: not given (chosen from the operation and --clients).
  int64_t connections = 0;
  double duration_seconds = 10;
  double warmup_seconds = 1;
  // Only meaningful when rate_given.
  double rate = 0;
  bool rate_given = false;
  int64_t read_percent = 50;
  bool read_percent_given = false;
  double timeout_seconds = 5;
  std::string key_prefix = "bench/";
  uint64_t seed = 1;
  bool json = false;
};

// A checked run description.
struct BenchOptions {
  BenchTarget target = BenchTarget::kQuokka;
  std::vector<std::string> endpoints;
  BenchOperation operation = BenchOperation::kPut;
  Consistency consistency = Consistency::kLinearizable;
  uint64_t value_size = 256;
  uint64_t keys = 1000;
  uint32_t clients = 1;
  // Client instances; logical client i uses connection i % connections.
  uint32_t connections = 1;
  std::chrono::nanoseconds duration{std::chrono::seconds(10)};
  std::chrono::nanoseconds warmup{std::chrono::seconds(1)};
  // Operations per second over all logical clients; 0 = closed loop.
  double rate = 0;
  uint32_t read_percent = 50;
  // Every request's deadline, retries included.
  std::chrono::milliseconds timeout{5000};
  std::string key_prefix = "bench/";
  uint64_t seed = 1;
  bool json = false;

  bool open_loop() const { return rate > 0; }
};

// Checks every argument against its range and the others; INVALID_ARGUMENT
// names the option, quotes the bad value and says what is allowed. The
// limits of value and key sizes are the client's defaults (LimitsConfig).
Result<BenchOptions> make_bench_options(const BenchArguments& arguments);

// "quokka", "etcd".
std::string_view bench_target_name(BenchTarget target);

// "linearizable", "stale".
std::string_view consistency_name(Consistency consistency);

}  // namespace quokka::client::bench
