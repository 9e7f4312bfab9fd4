#include "client/bench/quokka_target.h"

#include <algorithm>
#include <utility>

namespace quokka::client::bench {
namespace {

class QuokkaTarget final : public KvTarget {
 public:
  QuokkaTarget(std::unique_ptr<Client> client, const BenchOptions& options)
      : client_(std::move(client)), timeout_(options.timeout) {
    get_options_.consistency = options.consistency;
    get_options_.deadline = options.timeout;
  }

  void put(std::string key, std::string value, ReplyCallback done) override {
    client_->put_async(
        std::move(key), std::move(value),
        [done = std::move(done)](ClientResult<PutResult> result) {
          TargetReply reply;
          if (!result) reply.error = &result.error();
          done(reply);
        },
        RequestOptions{.deadline = timeout_});
  }

  void get(std::string key, ReplyCallback done) override {
    client_->get_async(
        std::move(key),
        [done = std::move(done)](ClientResult<GetResult> result) {
          TargetReply reply;
          if (!result) reply.error = &result.error();
          reply.missing = result && !result->kv.has_value();
          done(reply);
        },
        get_options_);
  }

  void compare_and_swap(std::string key, Revision expected, std::string value,
                        ReplyCallback done) override {
    client_->compare_and_swap_async(
        std::move(key), expected, std::move(value),
        [done = std::move(done)](ClientResult<CompareAndSwapResult> result) {
          TargetReply reply;
          if (!result) reply.error = &result.error();
          if (result) {
            reply.mod_revision = result->kv.mod_revision;
          } else if (result.error().code == ErrorCode::kCasMismatch) {
            reply.mod_revision = result.error().actual_mod_revision;
          }
          done(reply);
        },
        RequestOptions{.deadline = timeout_});
  }

  std::optional<ClientStats> client_stats() const override { return client_->stats(); }

 private:
  std::unique_ptr<Client> client_;
  std::chrono::milliseconds timeout_;
  GetOptions get_options_;
};

}  // namespace

Result<std::unique_ptr<KvTarget>> make_quokka_target(const BenchOptions& options,
                                                     uint32_t in_flight_max) {
  ClientOptions client_options;
  client_options.endpoints = options.endpoints;
  client_options.request_deadline_default = options.timeout;
  client_options.connect_timeout = std::min(options.timeout, std::chrono::milliseconds(2000));
  // One silent node must leave time to try the next within the deadline.
  client_options.retry.attempt_timeout =
      std::max(std::chrono::milliseconds(1),
               std::min(client_options.retry.attempt_timeout, options.timeout / 2));
  const uint32_t in_flight = std::max<uint32_t>(1, in_flight_max);
  client_options.outstanding_requests_max = in_flight;
  client_options.write_sessions = std::min(in_flight, kWriteSessionsMax);
  // The generator is one application: its connections together hold at
  // most one Client's value budget (the node's write_values_bytes_max by
  // default), as a single Client would, instead of one each.
  client_options.write_value_bytes_max =
      std::max<uint64_t>(1, client_options.write_value_bytes_max / options.connections);
  client_options.agent = "quokka-bench";
  Result<std::unique_ptr<Client>> client = Client::create(std::move(client_options));
  if (!client) return client.status();
  return std::unique_ptr<KvTarget>(
      std::make_unique<QuokkaTarget>(std::move(client).value(), options));
}

}  // namespace quokka::client::bench
