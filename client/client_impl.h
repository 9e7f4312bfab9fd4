#pragma once

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <variant>

#include "client/backoff.h"
#include "client/client.h"
#include "client/connection.h"
#include "client/retry_decision.h"
#include "common/lamport_clock.h"
#include "proto/client.pb.h"
#include "proto/envelope.pb.h"

// Internal to the client library: the state behind Client, all of it owned
// by the client's I/O thread except `stats_` (guarded by stats_mutex_).

namespace quokka::client {

using Clock = std::chrono::steady_clock;

// A node's error answer to one attempt, and how it came.
struct AttemptError {
  AttemptFailure failure = AttemptFailure::kNodeError;
  // outcome: the node's Error.definite for node errors; for the client's
  // own (connection) errors, whether the request certainly never arrived.
  ClientError error;
  std::string leader_hint_address;
};

// What a reply came to: a thunk that hands the result to the caller, or the
// node's error.
using Deliver = std::function<void()>;
using ReplyOutcome = std::variant<Deliver, AttemptError>;
using ReplyDecoder =
    std::function<ReplyOutcome(const proto::Envelope&, const std::string&)>;

// One submitted operation, from submission to its callback.
struct PendingOperation {
  Operation operation = Operation::kGet;
  bool is_write = false;
  proto::MessageKind request_kind = proto::MESSAGE_KIND_UNSPECIFIED;
  // Serializes the request with this attempt's header.
  std::function<std::string(const proto::RequestHeader&)> encode;
  ReplyDecoder decode;
  // Hands a final error to the caller.
  std::function<void(ClientError)> fail;

  // Submission order, for failing the unfinished in order at shutdown.
  uint64_t number = 0;
  Clock::time_point submitted;
  Clock::time_point deadline;
  // Writes: the write session and its sequence, assigned when the write
  // leaves the queue.
  size_t session = 0;
  uint64_t sequence = 0;
  uint32_t attempts = 0;
  uint32_t leader_hints_followed = 0;
  // Put and compare-and-swap: the value's size, held against
  // ClientOptions::write_value_bytes_max from admission to the end.
  uint64_t value_bytes = 0;
  bool value_bytes_held = false;
  // Writes: some attempt may have reached a node and been applied.
  bool may_have_applied = false;
  bool queued = false;
  bool finished = false;
  // The error of the last failed attempt, reported if no attempt succeeds.
  std::optional<ClientError> last_error;

  // The one timer of the operation: queue deadline, attempt timeout or
  // backoff. A handler acts only if the timer was not re-armed since it was
  // armed: an expiry whose handler is already queued cannot be cancelled.
  std::unique_ptr<asio::steady_timer> timer;
  uint64_t timer_generation = 0;

  // The attempt in progress.
  std::shared_ptr<Connection> connection;
  uint64_t request_id = 0;
  bool attempt_in_progress = false;
};

// One exactly-once session: the cluster keeps the last result of each
// (client id, seq), so a session has one write in flight at a time and a
// Client runs several sessions to have several writes in flight.
struct WriteSession {
  uint64_t client_id = 0;
  // The sequence the next write on this session gets. It advances when a
  // write's sequence may have been used by the cluster (success, or any
  // attempt that may have been applied); a write that certainly never
  // happened leaves it for the next write, so sequences have no gaps the
  // cluster saw.
  uint64_t next_sequence = 1;
  std::shared_ptr<PendingOperation> active;
};

class Client::Impl {
 public:
  Impl(ClientOptions options, uint64_t client_id);
  ~Impl();

  void start_thread();

  uint64_t client_id() const { return client_id_; }
  const ClientOptions& options() const { return options_; }
  ClientStats stats() const;

  // From any thread: refuses locally checked errors at once (through the
  // I/O thread, so every callback runs there), else queues or starts.
  void submit(std::shared_ptr<PendingOperation> operation,
              std::optional<ClientError> refusal);
  void status_async(StatusCallback done, const RequestOptions& options);

  Clock::time_point deadline_for(std::chrono::milliseconds requested) const;
  // Aborts when called on the I/O thread (a blocking call from a callback).
  void check_not_io_thread() const;

  std::shared_ptr<PendingOperation> make_operation(
      Operation operation, bool is_write, proto::MessageKind request_kind,
      std::chrono::milliseconds deadline) const;

 private:
  void admit(const std::shared_ptr<PendingOperation>& operation,
             std::optional<ClientError> refusal);
  void start_write(const std::shared_ptr<PendingOperation>& operation);
  void start_next_writes();
  bool is_active_write(const std::shared_ptr<PendingOperation>& operation) const;
  void start_attempt(const std::shared_ptr<PendingOperation>& operation);
  void on_attempt_reply(const std::shared_ptr<PendingOperation>& operation,
                        uint32_t attempt, const std::shared_ptr<Connection>& connection,
                        ConnectionReply reply);
  void on_attempt_timeout(const std::shared_ptr<PendingOperation>& operation);
  void follow_forwarding_hint(const proto::Envelope& envelope, const std::string& answered_by);
  void arm_timer(const std::shared_ptr<PendingOperation>& operation,
                 Clock::time_point when,
                 std::function<void(const std::shared_ptr<PendingOperation>&)> action);
  void on_attempt_failed(const std::shared_ptr<PendingOperation>& operation,
                         const std::shared_ptr<Connection>& connection,
                         AttemptError failure);
  void finish_success(const std::shared_ptr<PendingOperation>& operation,
                      const Deliver& deliver);
  void finish_failure(const std::shared_ptr<PendingOperation>& operation,
                      ClientError error);
  void release(const std::shared_ptr<PendingOperation>& operation, bool consumed);
  // Gives back the operation's share of write_value_bytes_max.
  void release_value_bytes(const std::shared_ptr<PendingOperation>& operation);
  void refuse(const std::shared_ptr<PendingOperation>& operation, ClientError error);

  // Routing: where the next attempt goes.
  std::shared_ptr<Connection> current_connection();
  std::shared_ptr<Connection> open_connection(const std::string& address);
  void move_to_next_endpoint();
  void move_to(const std::string& address);

  void shutdown();
  uint64_t fresh_session_id();
  void record_stats(const std::function<void(ClientStats&)>& update);

  const ClientOptions options_;
  const uint64_t client_id_;
  const uint32_t frame_bytes_max_;

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;

  LamportClock clock_;
  Backoff backoff_;

  // The endpoint the client talks to: options_.endpoints[endpoint_index_],
  // or a leader's address learnt from a hint.
  size_t endpoint_index_ = 0;
  std::string target_;
  std::shared_ptr<Connection> connection_;
  // Every connection not yet closed, so shutdown can close them.
  std::list<std::weak_ptr<Connection>> connections_;

  // Operations submitted and not finished, by submission number.
  std::map<uint64_t, std::shared_ptr<PendingOperation>> unfinished_;
  uint64_t next_operation_number_ = 1;
  uint32_t status_requests_in_flight_ = 0;

  // Invariant: at most one write is in flight per write session; writes
  // that find every session busy wait here in submission order.
  std::vector<WriteSession> write_sessions_;
  // Indexes of the sessions with no write in flight.
  std::vector<size_t> idle_write_sessions_;
  std::deque<std::shared_ptr<PendingOperation>> queued_writes_;
  // Ids for write sessions other than the first, distinct from each other
  // and from 0 (the protocol's "no session"), drawn from a generator seeded
  // by the client id.
  DeterministicRandom session_ids_;
  // Value bytes of the admitted writes not yet finished.
  uint64_t held_value_bytes_ = 0;
  bool shutting_down_ = false;

  mutable std::mutex stats_mutex_;
  ClientStats stats_;
};

}  // namespace quokka::client
