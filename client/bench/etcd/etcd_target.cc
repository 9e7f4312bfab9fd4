#include "client/bench/etcd/etcd_target.h"

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>

#include "client/bench/etcd/etcd_kv.grpc.pb.h"
#include "common/assert.h"

namespace quokka::client::bench {
namespace {

// etcd answers in gRPC status codes; the generator counts errors by
// quokka's codes, so each maps to the nearest meaning and the message keeps
// etcd's own words.
ErrorCode error_code_of(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::DEADLINE_EXCEEDED: return ErrorCode::kTimeout;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return ErrorCode::kOverloaded;
    case grpc::StatusCode::INVALID_ARGUMENT: return ErrorCode::kInvalidArgument;
    case grpc::StatusCode::CANCELLED: return ErrorCode::kShuttingDown;
    default: return ErrorCode::kNoQuorum;
  }
}

class EtcdTarget final : public KvTarget {
 public:
  EtcdTarget(const BenchOptions& options, const std::string& endpoint,
             uint32_t connection_number)
      : timeout_(options.timeout),
        serializable_(options.consistency == Consistency::kStale) {
    grpc::ChannelArguments arguments;
    // A TCP connection of its own per target, as each quokka Client has.
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    arguments.SetInt("quokka.bench.connection", static_cast<int>(connection_number));
    arguments.SetMaxReceiveMessageSize(-1);
    arguments.SetMaxSendMessageSize(-1);
    channel_ = grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(),
                                         arguments);
    stub_ = etcdserverpb::KV::NewStub(channel_);
    thread_ = std::thread([this] { poll(); });
  }

  ~EtcdTarget() override {
    {
      std::lock_guard lock(mutex_);
      shutting_down_ = true;
      for (Call* call : outstanding_) call->context.TryCancel();
    }
    queue_.Shutdown();
    thread_.join();
  }

  void put(std::string key, std::string value, ReplyCallback done) override {
    auto call = std::make_unique<PutCall>();
    call->request.set_key(std::move(key));
    call->request.set_value(std::move(value));
    call->done = std::move(done);
    start(std::move(call), [this](PutCall& c) {
      c.reader = stub_->PrepareAsyncPut(&c.context, c.request, &queue_);
      c.reader->StartCall();
      c.reader->Finish(&c.response, &c.status, &c);
    });
  }

  void get(std::string key, ReplyCallback done) override {
    auto call = std::make_unique<RangeCall>();
    call->request.set_key(std::move(key));
    call->request.set_serializable(serializable_);
    call->done = std::move(done);
    start(std::move(call), [this](RangeCall& c) {
      c.reader = stub_->PrepareAsyncRange(&c.context, c.request, &queue_);
      c.reader->StartCall();
      c.reader->Finish(&c.response, &c.status, &c);
    });
  }

  void compare_and_swap(std::string, Revision, std::string, ReplyCallback) override {
    QUOKKA_ASSERT(false, "make_bench_options refuses --op cas with --target etcd");
  }

 private:
  struct Call {
    virtual ~Call() = default;
    // On the completion-queue thread, once.
    virtual void finish() = 0;
    grpc::ClientContext context;
    grpc::Status status;
    ReplyCallback done;
  };
  static void answer(Call& call, bool missing, bool is_write) {
    TargetReply reply;
    if (call.status.ok()) {
      reply.missing = missing;
      call.done(reply);
      return;
    }
    ClientError error = make_client_error(
        error_code_of(call.status.error_code()),
        fmt::format("etcd: {} (gRPC code {})", call.status.error_message(),
                    static_cast<int>(call.status.error_code())),
        is_write ? Outcome::kIndeterminate : Outcome::kDefinite);
    reply.error = &error;
    call.done(reply);
  }
  struct PutCall final : Call {
    etcdserverpb::PutRequest request;
    etcdserverpb::PutResponse response;
    std::unique_ptr<grpc::ClientAsyncResponseReader<etcdserverpb::PutResponse>> reader;
    void finish() override { answer(*this, false, true); }
  };
  struct RangeCall final : Call {
    etcdserverpb::RangeRequest request;
    etcdserverpb::RangeResponse response;
    std::unique_ptr<grpc::ClientAsyncResponseReader<etcdserverpb::RangeResponse>> reader;
    void finish() override { answer(*this, status.ok() && response.kvs_size() == 0, false); }
  };
  template <typename CallType, typename Issue>
  void start(std::unique_ptr<CallType> call, Issue issue) {
    call->context.set_deadline(std::chrono::system_clock::now() + timeout_);
    std::lock_guard lock(mutex_);
    // Only a callback run by the destructor's cancellations can get here
    // while shutting down, and the generator starts nothing then.
    if (shutting_down_) return;
    CallType* raw = call.release();
    outstanding_.insert(raw);
    issue(*raw);
  }

  void poll() {
    void* tag = nullptr;
    bool ok = false;
    while (queue_.Next(&tag, &ok)) {
      auto* call = static_cast<Call*>(tag);
      {
        std::lock_guard lock(mutex_);
        outstanding_.erase(call);
      }
      call->finish();
      delete call;
    }
  }

  const std::chrono::milliseconds timeout_;
  const bool serializable_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<etcdserverpb::KV::Stub> stub_;
  grpc::CompletionQueue queue_;
  std::thread thread_;

  std::mutex mutex_;
  bool shutting_down_ = false;
  // Started and not finished; cancelled at shutdown.
  std::unordered_set<Call*> outstanding_;
};

}  // namespace

Result<std::unique_ptr<KvTarget>> make_etcd_target(const BenchOptions& options,
                                                   uint32_t connection_number) {
  // Connection i talks to member i % members, as etcd's own benchmark
  // spreads its connections; give one endpoint to pin every connection to
  // the leader.
  const std::string& endpoint =
      options.endpoints[connection_number % options.endpoints.size()];
  return std::unique_ptr<KvTarget>(
      std::make_unique<EtcdTarget>(options, endpoint, connection_number));
}

}  // namespace quokka::client::bench
