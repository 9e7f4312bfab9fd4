#include "client/bench/kv_target.h"

#include "client/bench/quokka_target.h"
#if QUOKKA_BENCH_ETCD
#include "client/bench/etcd/etcd_target.h"
#endif

namespace quokka::client::bench {

Result<std::unique_ptr<KvTarget>> make_target(const BenchOptions& options,
                                              uint32_t connection_number,
                                              uint32_t in_flight_max) {
  switch (options.target) {
    case BenchTarget::kQuokka:
      return make_quokka_target(options, in_flight_max);
    case BenchTarget::kEtcd:
#if QUOKKA_BENCH_ETCD
      return make_etcd_target(options, connection_number);
#else
      (void)connection_number;
      return Status(ErrorCode::kInvalidArgument, kEtcdMissingMessage);
#endif
  }
  return Status(ErrorCode::kInvalidArgument, "unknown target");
}

}  // namespace quokka::client::bench
