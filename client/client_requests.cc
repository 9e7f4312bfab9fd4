// Client's public calls: each builds its request message, checks it against
// the limits, and says how to read the node's response.

#include <fmt/format.h>

#include <future>
#include <random>
#include <type_traits>
#include <utility>

#include "client/client.h"
#include "client/client_impl.h"
#include "client/request_limits.h"
#include "proto/error_code_conversion.h"
#include "proto/errors.pb.h"

namespace quokka::client {
namespace {

uint64_t random_client_id() {
  // Not in the deterministic core: a real random id keeps two clients (on
  // two machines, or restarted) from sharing an exactly-once session.
  std::random_device device;
  uint64_t id = 0;
  while (id == 0) id = (uint64_t{device()} << 32) | uint64_t{device()};
  return id;
}

ResponseHeader to_header(const proto::ResponseHeader& header,
                         const std::string& endpoint) {
  return ResponseHeader{.revision = Revision(header.revision()),
                        .term = Term(header.raft_term()),
                        .node = NodeId(header.node_id()),
                        .endpoint = endpoint};
}

KeyValue to_key_value(const proto::KeyValue& kv) {
  return KeyValue{.key = kv.key(),
                  .value = kv.value(),
                  .create_revision = Revision(kv.create_revision()),
                  .mod_revision = Revision(kv.mod_revision()),
                  .version = kv.version(),
                  .value_hash = kv.value_hash(),
                  .value_size = kv.value_size()};
}

// A node's Error as one attempt's failure.
AttemptError node_error(const proto::Error& wire, const std::string& endpoint) {
  AttemptError failure;
  const std::optional<ErrorCode> code = proto::from_wire_error_code(wire.code());
  failure.error.endpoint = endpoint;
  failure.error.message = wire.message();
  if (!code) {
    // errors.proto: a code this build does not know is indeterminate and
    // not retryable.
    failure.failure = AttemptFailure::kUnknownNodeError;
    failure.error.code = ErrorCode::kInvalidArgument;
    failure.error.outcome = Outcome::kIndeterminate;
    failure.error.message = fmt::format(
        "the node answered with error code {}, unknown to this client: {}",
        static_cast<int>(wire.code()), wire.message());
    return failure;
  }
  failure.failure = AttemptFailure::kNodeError;
  failure.error.code = *code;
  failure.error.outcome = wire.definite() ? Outcome::kDefinite : Outcome::kIndeterminate;
  if (wire.has_leader_hint()) {
    failure.leader_hint_address = wire.leader_hint().client_address();
  }
  if (wire.has_supported_versions()) {
    failure.error.supported_versions = {
        static_cast<proto::ProtocolVersion>(wire.supported_versions().min_version()),
        static_cast<proto::ProtocolVersion>(wire.supported_versions().max_version())};
  }
  return failure;
}

// An answer that is not the response asked for: the node broke the
// protocol, so nothing can be said about the outcome.
AttemptError protocol_violation(const std::string& endpoint, std::string message) {
  AttemptError failure;
  failure.failure = AttemptFailure::kUnknownNodeError;
  failure.error.code = ErrorCode::kInvalidArgument;
  failure.error.outcome = Outcome::kIndeterminate;
  failure.error.endpoint = endpoint;
  failure.error.message = std::move(message);
  return failure;
}

// Reads a typed response: ErrorReply, the wrong kind or an unparsable
// payload become attempt errors; a response error becomes an attempt error
// unless `to_value` accepts it (Get's NOT_FOUND); otherwise the value goes
// to `done`.
template <typename Response, typename Value>
ReplyDecoder make_decoder(
    proto::MessageKind expected_kind, Callback<Value> done,
    std::function<std::optional<Value>(const Response&, ResponseHeader, bool has_error)>
        to_value) {
  return [expected_kind, done = std::move(done), to_value = std::move(to_value)](
             const proto::Envelope& envelope,
             const std::string& endpoint) -> ReplyOutcome {
    if (envelope.kind() == proto::MESSAGE_KIND_ERROR_REPLY) {
      proto::ErrorReply reply;
      if (!reply.ParseFromString(envelope.payload())) {
        return protocol_violation(endpoint, "unreadable ErrorReply");
      }
      return node_error(reply.error(), endpoint);
    }
    if (envelope.kind() != expected_kind) {
      return protocol_violation(
          endpoint, fmt::format("answered with message kind {} instead of {}",
                                proto::MessageKind_Name(envelope.kind()),
                                proto::MessageKind_Name(expected_kind)));
    }
    Response response;
    if (!response.ParseFromString(envelope.payload())) {
      return protocol_violation(
          endpoint, fmt::format("unreadable {}", proto::MessageKind_Name(expected_kind)));
    }
    const bool has_error = response.has_error() && response.error().code() != proto::OK;
    std::optional<Value> value =
        to_value(response, to_header(response.header(), endpoint), has_error);
    if (value) {
      return Deliver([done, value = std::move(*value)]() { done(value); });
    }
    AttemptError failure = node_error(response.error(), endpoint);
    if constexpr (std::is_same_v<Response, proto::CompareAndSwapResponse>) {
      failure.error.actual_mod_revision = Revision(response.actual_mod_revision());
    }
    return failure;
  };
}

proto::Consistency to_wire(Consistency consistency) {
  return consistency == Consistency::kStale ? proto::CONSISTENCY_STALE
                                            : proto::CONSISTENCY_LINEARIZABLE;
}

// Serializes `request` (shared, so retries do not copy a large value) with
// each attempt's header.
template <typename Request>
std::function<std::string(const proto::RequestHeader&)> encoder(
    std::shared_ptr<Request> request) {
  return [request = std::move(request)](const proto::RequestHeader& header) {
    *request->mutable_header() = header;
    return request->SerializeAsString();
  };
}

template <typename T>
ClientResult<T> wait_for(const std::function<void(Callback<T>)>& start) {
  auto promise = std::make_shared<std::promise<ClientResult<T>>>();
  std::future<ClientResult<T>> future = promise->get_future();
  start([promise](ClientResult<T> result) { promise->set_value(std::move(result)); });
  return future.get();
}

}  // namespace

KeyRange KeyRange::prefix(std::string prefix) {
  return KeyRange{.is_prefix = true, .start = std::move(prefix), .end = {}};
}

KeyRange KeyRange::interval(std::string start, std::string end) {
  return KeyRange{.is_prefix = false, .start = std::move(start), .end = std::move(end)};
}

Result<std::unique_ptr<Client>> Client::create(ClientOptions options) {
  if (Status status = validate_client_options(options); !status.is_ok()) {
    return status;
  }
  const uint64_t client_id = options.client_id.value_or(random_client_id());
  auto impl = std::make_unique<Impl>(std::move(options), client_id);
  impl->start_thread();
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() = default;

uint64_t Client::client_id() const { return impl_->client_id(); }

const ClientOptions& Client::options() const { return impl_->options(); }

ClientStats Client::stats() const { return impl_->stats(); }

void Client::put_async(std::string key, std::string value, Callback<PutResult> done,
                       const RequestOptions& options) {
  const LimitsConfig& limits = impl_->options().limits;
  std::optional<ClientError> refusal = check_key(key, limits);
  if (!refusal) refusal = check_value(value, limits);
  const uint64_t value_bytes = value.size();
  auto request = std::make_shared<proto::PutRequest>();
  request->set_key(std::move(key));
  request->set_value(std::move(value));
  auto operation = impl_->make_operation(Operation::kPut, /*is_write=*/true,
                                         proto::MESSAGE_KIND_PUT_REQUEST,
                                         options.deadline);
  operation->value_bytes = value_bytes;
  operation->encode = encoder(std::move(request));
  operation->fail = [done](ClientError error) { done(std::move(error)); };
  operation->decode = make_decoder<proto::PutResponse, PutResult>(
      proto::MESSAGE_KIND_PUT_RESPONSE, done,
      [](const proto::PutResponse& response, ResponseHeader header,
         bool has_error) -> std::optional<PutResult> {
        if (has_error) return std::nullopt;
        return PutResult{.header = std::move(header), .kv = to_key_value(response.kv())};
      });
  impl_->submit(std::move(operation), std::move(refusal));
}

void Client::get_async(std::string key, Callback<GetResult> done,
                       const GetOptions& options) {
  std::optional<ClientError> refusal = check_key(key, impl_->options().limits);
  auto request = std::make_shared<proto::GetRequest>();
  request->set_key(std::move(key));
  request->set_consistency(to_wire(options.consistency));
  request->set_min_revision(options.min_revision.value());
  request->set_keys_only(options.keys_only);
  auto operation = impl_->make_operation(Operation::kGet, /*is_write=*/false,
                                         proto::MESSAGE_KIND_GET_REQUEST,
                                         options.deadline);
  operation->encode = encoder(std::move(request));
  operation->fail = [done](ClientError error) { done(std::move(error)); };
  operation->decode = make_decoder<proto::GetResponse, GetResult>(
      proto::MESSAGE_KIND_GET_RESPONSE, done,
      [](const proto::GetResponse& response, ResponseHeader header,
         bool has_error) -> std::optional<GetResult> {
        if (has_error) {
          // A missing key is an answer, not a failure.
          if (response.error().code() != proto::NOT_FOUND) return std::nullopt;
          return GetResult{.header = std::move(header), .kv = std::nullopt};
        }
        return GetResult{.header = std::move(header), .kv = to_key_value(response.kv())};
      });
  impl_->submit(std::move(operation), std::move(refusal));
}

void Client::del_async(std::string key, Callback<DeleteResult> done,
                       const RequestOptions& options) {
  std::optional<ClientError> refusal = check_key(key, impl_->options().limits);
  auto request = std::make_shared<proto::DeleteRequest>();
  request->set_key(std::move(key));
  auto operation = impl_->make_operation(Operation::kDelete, /*is_write=*/true,
                                         proto::MESSAGE_KIND_DELETE_REQUEST,
                                         options.deadline);
  operation->encode = encoder(std::move(request));
  operation->fail = [done](ClientError error) { done(std::move(error)); };
  operation->decode = make_decoder<proto::DeleteResponse, DeleteResult>(
      proto::MESSAGE_KIND_DELETE_RESPONSE, done,
      [](const proto::DeleteResponse& response, ResponseHeader header,
         bool has_error) -> std::optional<DeleteResult> {
        if (has_error) return std::nullopt;
        return DeleteResult{.header = std::move(header), .existed = response.existed()};
      });
  impl_->submit(std::move(operation), std::move(refusal));
}

void Client::compare_and_swap_async(std::string key, Revision expected_mod_revision,
                                    std::string value,
                                    Callback<CompareAndSwapResult> done,
                                    const RequestOptions& options) {
  const LimitsConfig& limits = impl_->options().limits;
  std::optional<ClientError> refusal = check_key(key, limits);
  if (!refusal) refusal = check_value(value, limits);
  const uint64_t value_bytes = value.size();
  auto request = std::make_shared<proto::CompareAndSwapRequest>();
  request->set_key(std::move(key));
  request->set_expected_mod_revision(expected_mod_revision.value());
  request->set_value(std::move(value));
  auto operation = impl_->make_operation(
      Operation::kCompareAndSwap, /*is_write=*/true,
      proto::MESSAGE_KIND_COMPARE_AND_SWAP_REQUEST, options.deadline);
  operation->value_bytes = value_bytes;
  operation->encode = encoder(std::move(request));
  operation->fail = [done](ClientError error) { done(std::move(error)); };
  operation->decode = make_decoder<proto::CompareAndSwapResponse, CompareAndSwapResult>(
      proto::MESSAGE_KIND_COMPARE_AND_SWAP_RESPONSE, done,
      [](const proto::CompareAndSwapResponse& response, ResponseHeader header,
         bool has_error) -> std::optional<CompareAndSwapResult> {
        if (has_error) return std::nullopt;
        return CompareAndSwapResult{.header = std::move(header),
                                    .kv = to_key_value(response.kv())};
      });
  impl_->submit(std::move(operation), std::move(refusal));
}

void Client::range_async(KeyRange range, Callback<RangeResult> done,
                         const RangeOptions& options) {
  const LimitsConfig& limits = impl_->options().limits;
  std::optional<ClientError> refusal;
  auto request = std::make_shared<proto::RangeRequest>();
  if (range.is_prefix) {
    refusal = check_key_bound(range.start, limits, "range prefix");
    request->set_prefix(std::move(range.start));
  } else {
    refusal = check_key_bound(range.start, limits, "range start");
    if (!refusal) refusal = check_key_bound(range.end, limits, "range end");
    request->mutable_interval()->set_start(std::move(range.start));
    request->mutable_interval()->set_end(std::move(range.end));
  }
  if (!refusal) {
    refusal = check_key_bound(options.continuation_key, limits, "continuation key");
  }
  request->set_limit(options.limit);
  request->set_continuation_key(options.continuation_key);
  request->set_consistency(to_wire(options.consistency));
  request->set_min_revision(options.min_revision.value());
  request->set_keys_only(options.keys_only);
  auto operation = impl_->make_operation(Operation::kRange, /*is_write=*/false,
                                         proto::MESSAGE_KIND_RANGE_REQUEST,
                                         options.deadline);
  operation->encode = encoder(std::move(request));
  operation->fail = [done](ClientError error) { done(std::move(error)); };
  operation->decode = make_decoder<proto::RangeResponse, RangeResult>(
      proto::MESSAGE_KIND_RANGE_RESPONSE, done,
      [](const proto::RangeResponse& response, ResponseHeader header,
         bool has_error) -> std::optional<RangeResult> {
        if (has_error) return std::nullopt;
        RangeResult result{.header = std::move(header),
                           .kvs = {},
                           .more = response.more(),
                           .continuation_key = response.continuation_key()};
        result.kvs.reserve(static_cast<size_t>(response.kvs_size()));
        for (const proto::KeyValue& kv : response.kvs()) {
          result.kvs.push_back(to_key_value(kv));
        }
        return result;
      });
  impl_->submit(std::move(operation), std::move(refusal));
}

void Client::status_async(StatusCallback done, const RequestOptions& options) {
  impl_->status_async(std::move(done), options);
}

ClientResult<PutResult> Client::put(std::string key, std::string value,
                                    const RequestOptions& options) {
  impl_->check_not_io_thread();
  return wait_for<PutResult>([&](Callback<PutResult> done) {
    put_async(std::move(key), std::move(value), std::move(done), options);
  });
}

ClientResult<GetResult> Client::get(std::string key, const GetOptions& options) {
  impl_->check_not_io_thread();
  return wait_for<GetResult>([&](Callback<GetResult> done) {
    get_async(std::move(key), std::move(done), options);
  });
}

ClientResult<DeleteResult> Client::del(std::string key, const RequestOptions& options) {
  impl_->check_not_io_thread();
  return wait_for<DeleteResult>([&](Callback<DeleteResult> done) {
    del_async(std::move(key), std::move(done), options);
  });
}

ClientResult<CompareAndSwapResult> Client::compare_and_swap(
    std::string key, Revision expected_mod_revision, std::string value,
    const RequestOptions& options) {
  impl_->check_not_io_thread();
  return wait_for<CompareAndSwapResult>([&](Callback<CompareAndSwapResult> done) {
    compare_and_swap_async(std::move(key), expected_mod_revision, std::move(value),
                           std::move(done), options);
  });
}

ClientResult<RangeResult> Client::range(KeyRange range, const RangeOptions& options) {
  impl_->check_not_io_thread();
  return wait_for<RangeResult>([&](Callback<RangeResult> done) {
    range_async(std::move(range), std::move(done), options);
  });
}

std::vector<EndpointStatus> Client::status(const RequestOptions& options) {
  impl_->check_not_io_thread();
  auto promise = std::make_shared<std::promise<std::vector<EndpointStatus>>>();
  std::future<std::vector<EndpointStatus>> future = promise->get_future();
  status_async(
      [promise](std::vector<EndpointStatus> statuses) {
        promise->set_value(std::move(statuses));
      },
      options);
  return future.get();
}

}  // namespace quokka::client
