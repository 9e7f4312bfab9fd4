// Client::Impl: admission, the write sessions and their queue, attempts, retries
// and routing. Everything here runs on the client's I/O thread unless it
// says otherwise.

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "client/client_impl.h"
#include "client/endpoint.h"
#include "common/assert.h"

namespace quokka::client {
namespace {

// Mixes the client id into a jitter seed, so two clients created together
// do not back off in step.
uint64_t jitter_seed_from(uint64_t client_id) {
  DeterministicRandom mixer(client_id ^ 0x6a09e667f3bcc908ULL);
  return mixer.next();
}

int64_t milliseconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace

Client::Impl::Impl(ClientOptions options, uint64_t client_id)
    : options_(std::move(options)),
      client_id_(client_id),
      frame_bytes_max_(
          static_cast<uint32_t>(options_.limits.frame_bytes_max_effective())),
      work_(asio::make_work_guard(io_)),
      backoff_(options_.retry,
               options_.retry.jitter_seed.value_or(jitter_seed_from(client_id))),
      target_(options_.endpoints.front()),
      session_ids_(client_id ^ 0xbb67ae8584caa73bULL) {
  // Session 0 uses the client's own id; the others get ids of their own.
  write_sessions_.resize(options_.write_sessions);
  for (size_t i = 0; i < write_sessions_.size(); ++i) {
    write_sessions_[i].client_id = i == 0 ? client_id : fresh_session_id();
  }
  // Popped from the back: session 0 is used first.
  for (size_t i = write_sessions_.size(); i > 0; --i) idle_write_sessions_.push_back(i - 1);
}

uint64_t Client::Impl::fresh_session_id() {
  // Bounded: 64-bit draws collide with one of at most kWriteSessionsMax ids
  // (or 0) almost never.
  for (;;) {
    const uint64_t id = session_ids_.next();
    const bool taken = id == 0 || std::any_of(write_sessions_.begin(), write_sessions_.end(),
                                              [&](const WriteSession& s) {
                                                return s.client_id == id;
                                              });
    if (!taken) return id;
  }
}

Client::Impl::~Impl() {
  if (thread_.joinable()) {
    asio::post(io_, [this] { shutdown(); });
    work_.reset();
    thread_.join();
  }
}

void Client::Impl::start_thread() {
  thread_ = std::thread([this] { io_.run(); });
}

void Client::Impl::check_not_io_thread() const {
  QUOKKA_ASSERT(std::this_thread::get_id() != thread_.get_id(),
                "a blocking client call from a client callback would wait for "
                "itself; use the async call there");
}

Clock::time_point Client::Impl::deadline_for(
    std::chrono::milliseconds requested) const {
  return Clock::now() + (requested.count() > 0 ? requested
                                               : options_.request_deadline_default);
}

std::shared_ptr<PendingOperation> Client::Impl::make_operation(
    Operation operation, bool is_write, proto::MessageKind request_kind,
    std::chrono::milliseconds deadline) const {
  auto pending = std::make_shared<PendingOperation>();
  pending->operation = operation;
  pending->is_write = is_write;
  pending->request_kind = request_kind;
  pending->submitted = Clock::now();
  pending->deadline = deadline_for(deadline);
  return pending;
}

ClientStats Client::Impl::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void Client::Impl::record_stats(const std::function<void(ClientStats&)>& update) {
  std::lock_guard lock(stats_mutex_);
  update(stats_);
}

void Client::Impl::submit(std::shared_ptr<PendingOperation> operation,
                          std::optional<ClientError> refusal) {
  // Callable from any thread; all state changes happen on the I/O thread.
  asio::post(io_, [this, operation = std::move(operation),
                   refusal = std::move(refusal)]() mutable {
    admit(operation, std::move(refusal));
  });
}

void Client::Impl::admit(const std::shared_ptr<PendingOperation>& operation,
                         std::optional<ClientError> refusal) {
  operation->timer = std::make_unique<asio::steady_timer>(io_);
  record_stats([&](ClientStats& stats) { ++stats.of(operation->operation).started; });
  if (shutting_down_) {
    refuse(operation, make_client_error(ErrorCode::kShuttingDown, "the client is shutting down"));
    return;
  }
  if (refusal) {
    refuse(operation, std::move(*refusal));
    return;
  }
  const size_t outstanding = unfinished_.size() + status_requests_in_flight_;
  if (outstanding >= options_.outstanding_requests_max) {
    refuse(operation,
           make_client_error(ErrorCode::kOverloaded, fmt::format(
                           "{} operations are outstanding, the limit "
                           "outstanding_requests_max; refused by the client",
                           outstanding)));
    return;
  }
  if (operation->is_write && idle_write_sessions_.empty() &&
      queued_writes_.size() >= options_.queued_writes_max) {
    refuse(operation,
           make_client_error(ErrorCode::kOverloaded, fmt::format(
                           "{} writes wait behind the {} in flight (write_sessions), "
                           "the limit queued_writes_max; refused by the client",
                           queued_writes_.size(), write_sessions_.size())));
    return;
  }
  if (operation->value_bytes > 0 && held_value_bytes_ > 0 &&
      held_value_bytes_ + operation->value_bytes > options_.write_value_bytes_max) {
    refuse(operation,
           make_client_error(ErrorCode::kOverloaded, fmt::format(
                           "{} bytes of values are in writes not yet answered; this "
                           "write's {} would pass the limit write_value_bytes_max = {}; "
                           "refused by the client",
                           held_value_bytes_, operation->value_bytes,
                           options_.write_value_bytes_max)));
    return;
  }
  held_value_bytes_ += operation->value_bytes;
  operation->value_bytes_held = true;
  operation->number = next_operation_number_++;
  unfinished_.emplace(operation->number, operation);
  if (!operation->is_write) {
    start_attempt(operation);
    return;
  }
  if (!idle_write_sessions_.empty()) {
    start_write(operation);
    return;
  }
  operation->queued = true;
  queued_writes_.push_back(operation);
  arm_timer(operation, operation->deadline,
            [this](const std::shared_ptr<PendingOperation>& expired) {
              if (!expired->queued) return;
              finish_failure(
                  expired,
                  make_client_error(ErrorCode::kTimeout, fmt::format(
                                  "the deadline of {} ms passed while the write "
                                  "waited behind earlier writes; it was never sent",
                                  milliseconds_between(expired->submitted,
                                                       expired->deadline))));
            });
}

void Client::Impl::refuse(const std::shared_ptr<PendingOperation>& operation,
                          ClientError error) {
  operation->finished = true;
  error.outcome = Outcome::kDefinite;
  const auto latency = Clock::now() - operation->submitted;
  record_stats([&](ClientStats& stats) {
    OperationStats& of = stats.of(operation->operation);
    ++of.failed;
    ++of.failed_by_code[static_cast<size_t>(error.code)];
    if (error.code == ErrorCode::kOverloaded) ++of.refused_overloaded;
    of.latency.record(latency);
  });
  operation->fail(std::move(error));
}

void Client::Impl::arm_timer(
    const std::shared_ptr<PendingOperation>& operation, Clock::time_point when,
    std::function<void(const std::shared_ptr<PendingOperation>&)> action) {
  const uint64_t generation = ++operation->timer_generation;
  operation->timer->expires_at(when);
  operation->timer->async_wait(
      [operation, generation, action = std::move(action)](
          const asio::error_code& error) {
        if (error) return;
        if (operation->finished) return;
        if (operation->timer_generation != generation) return;
        action(operation);
      });
}

void Client::Impl::start_attempt(const std::shared_ptr<PendingOperation>& operation) {
  const Clock::time_point now = Clock::now();
  if (now >= operation->deadline) {
    ClientError error = make_client_error(
        ErrorCode::kTimeout,
        fmt::format("the deadline of {} ms passed",
                    milliseconds_between(operation->submitted, operation->deadline)));
    if (operation->last_error) {
      error.message += "; last attempt: " + operation->last_error->message;
      error.endpoint = operation->last_error->endpoint;
    }
    finish_failure(operation, std::move(error));
    return;
  }
  ++operation->attempts;
  if (operation->attempts > 1) {
    record_stats([&](ClientStats& stats) { ++stats.of(operation->operation).retries; });
  }
  std::shared_ptr<Connection> connection = current_connection();

  const auto remaining = operation->deadline - now;
  const auto attempt_wait = std::min<Clock::duration>(
      remaining, options_.retry.attempt_timeout);
  const auto attempt_wait_ms =
      std::chrono::ceil<std::chrono::milliseconds>(attempt_wait).count();
  proto::RequestHeader header;
  if (operation->is_write) {
    header.set_client_id(write_sessions_[operation->session].client_id);
    header.set_sequence(operation->sequence);
  } else {
    header.set_client_id(client_id_);
  }
  header.set_deadline_ms(static_cast<uint32_t>(std::max<int64_t>(1, attempt_wait_ms)));

  const uint32_t attempt = operation->attempts;
  operation->connection = connection;
  operation->attempt_in_progress = true;
  operation->request_id = connection->send(
      operation->request_kind, operation->encode(header),
      [this, operation, attempt, connection](ConnectionReply reply) {
        on_attempt_reply(operation, attempt, connection, std::move(reply));
      });
  arm_timer(operation, now + attempt_wait,
            [this](const std::shared_ptr<PendingOperation>& timed_out) {
              on_attempt_timeout(timed_out);
            });
}

void Client::Impl::follow_forwarding_hint(const proto::Envelope& envelope,
                                          const std::string& answered_by) {
  // A follower that forwarded a write, or served a linearizable read with a
  // read index from the leader, names the leader in the header; later
  // requests go there directly (the answer itself stands).
  proto::ResponseHeaderOnly only;
  if (!only.ParseFromString(envelope.payload()) || !only.header().has_leader_hint()) return;
  const std::string& leader = only.header().leader_hint().client_address();
  if (leader.empty() || leader == answered_by || leader == target_) return;
  if (!parse_endpoint(leader).is_ok()) return;
  move_to(leader);
}

void Client::Impl::on_attempt_reply(
    const std::shared_ptr<PendingOperation>& operation, uint32_t attempt,
    const std::shared_ptr<Connection>& connection, ConnectionReply reply) {
  if (operation->finished || attempt != operation->attempts ||
      !operation->attempt_in_progress) {
    return;
  }
  operation->attempt_in_progress = false;
  ++operation->timer_generation;
  operation->timer->cancel();

  if (reply.envelope) {
    // Forwarded writes and linearizable reads a follower served name the
    // leader.
    follow_forwarding_hint(*reply.envelope, connection->address());
    ReplyOutcome outcome = operation->decode(*reply.envelope, connection->address());
    if (auto* deliver = std::get_if<Deliver>(&outcome)) {
      finish_success(operation, *deliver);
    } else {
      on_attempt_failed(operation, connection,
                        std::move(std::get<AttemptError>(outcome)));
    }
    return;
  }
  AttemptError failure;
  failure.error.code = reply.code;
  failure.error.message = std::move(reply.message);
  failure.error.endpoint = connection->address();
  failure.error.supported_versions = reply.supported_versions;
  if (reply.node_refused || reply.code == ErrorCode::kTooLarge ||
      reply.code == ErrorCode::kUnsupportedVersion) {
    // The node refused the handshake, the versions do not meet, or the
    // request does not fit a frame: final answers, and the request was
    // never sent.
    failure.failure = AttemptFailure::kNodeError;
    failure.error.outcome = Outcome::kDefinite;
  } else {
    // No connection (refused, unresolvable or unusable address, lost): the
    // next endpoint may do better.
    failure.failure = AttemptFailure::kConnectionLost;
    failure.error.outcome =
        reply.may_have_arrived ? Outcome::kIndeterminate : Outcome::kDefinite;
  }
  on_attempt_failed(operation, connection, std::move(failure));
}

void Client::Impl::on_attempt_timeout(
    const std::shared_ptr<PendingOperation>& operation) {
  if (!operation->attempt_in_progress) return;
  operation->attempt_in_progress = false;
  std::shared_ptr<Connection> connection = operation->connection;
  connection->forget(operation->request_id);
  AttemptError failure;
  failure.failure = AttemptFailure::kNoAnswer;
  failure.error.code = ErrorCode::kTimeout;
  failure.error.endpoint = connection->address();
  if (connection->is_ready()) {
    // The request went out on a live connection: the node may have it.
    failure.error.outcome = Outcome::kIndeterminate;
    failure.error.message =
        fmt::format("no answer from {} in time", connection->address());
  } else {
    failure.error.outcome = Outcome::kDefinite;
    failure.error.message =
        fmt::format("no connection to {} in time", connection->address());
  }
  on_attempt_failed(operation, connection, std::move(failure));
}

void Client::Impl::on_attempt_failed(
    const std::shared_ptr<PendingOperation>& operation,
    const std::shared_ptr<Connection>& connection, AttemptError failure) {
  ClientError& error = failure.error;
  // A CAS_MISMATCH is the write's applied outcome, recorded by the
  // session; anything else indeterminate may have been applied.
  if (operation->is_write && error.outcome == Outcome::kIndeterminate &&
      error.code != ErrorCode::kCasMismatch) {
    operation->may_have_applied = true;
  }
  operation->last_error = error;
  operation->connection.reset();

  const RetryAction action =
      decide_retry(failure.failure, error.code, failure.leader_hint_address);
  if (action == RetryAction::kGiveUp) {
    finish_failure(operation, std::move(error));
    return;
  }
  if (operation->attempts >= options_.retry.attempts_max) {
    error.message += fmt::format(" (gave up after {} attempts)", operation->attempts);
    finish_failure(operation, std::move(error));
    return;
  }

  // Many operations can fail on the same connection at once; only those
  // that failed on the current one move the client, so it moves once.
  const bool on_current = connection == connection_;
  bool immediately = false;
  switch (action) {
    case RetryAction::kFollowLeaderHint:
      if (failure.leader_hint_address == connection->address()) {
        if (on_current) move_to_next_endpoint();
        break;
      }
      if (on_current) move_to(failure.leader_hint_address);
      ++operation->leader_hints_followed;
      record_stats([&](ClientStats& stats) {
        ++stats.of(operation->operation).leader_hints_followed;
      });
      // A fresh hint is worth following at once; a second one in the same
      // operation means leadership is moving, so back off.
      immediately = operation->leader_hints_followed == 1;
      break;
    case RetryAction::kRetryNextEndpoint:
      if (on_current) move_to_next_endpoint();
      break;
    case RetryAction::kRetrySameEndpoint:
    case RetryAction::kGiveUp:
      break;
  }
  // While the client is looking for a leader (hints, unreachable nodes) it
  // keeps its waits short, at most the fourth step of the backoff (200 ms
  // by default): an election ends within about two election timeouts, and
  // a client asleep in a long backoff would miss the new leader by up to
  // backoff_max. Overload and timeouts back off fully.
  constexpr uint32_t kLeaderSearchBackoffStepMax = 4;
  const bool searching = action == RetryAction::kFollowLeaderHint ||
                         action == RetryAction::kRetryNextEndpoint;
  const uint32_t step =
      searching ? std::min(operation->attempts, kLeaderSearchBackoffStepMax) : operation->attempts;
  const Clock::duration wait =
      immediately ? Clock::duration::zero() : Clock::duration(backoff_.before_retry(step));
  const Clock::time_point retry_at = Clock::now() + wait;
  if (retry_at >= operation->deadline) {
    error.message += fmt::format(
        " (the deadline of {} ms left no time for attempt {})",
        milliseconds_between(operation->submitted, operation->deadline),
        operation->attempts + 1);
    finish_failure(operation, std::move(error));
    return;
  }
  arm_timer(operation, retry_at,
            [this](const std::shared_ptr<PendingOperation>& retried) {
              start_attempt(retried);
            });
}

void Client::Impl::release_value_bytes(const std::shared_ptr<PendingOperation>& operation) {
  if (!operation->value_bytes_held) return;
  operation->value_bytes_held = false;
  held_value_bytes_ -= operation->value_bytes;
}

void Client::Impl::finish_success(const std::shared_ptr<PendingOperation>& operation,
                                  const Deliver& deliver) {
  operation->finished = true;
  release_value_bytes(operation);
  operation->timer->cancel();
  operation->connection.reset();
  unfinished_.erase(operation->number);
  const auto latency = Clock::now() - operation->submitted;
  record_stats([&](ClientStats& stats) {
    OperationStats& of = stats.of(operation->operation);
    ++of.succeeded;
    of.latency.record(latency);
  });
  if (is_active_write(operation)) release(operation, /*consumed=*/true);
  deliver();
}

void Client::Impl::finish_failure(const std::shared_ptr<PendingOperation>& operation,
                                  ClientError error) {
  if (operation->finished) return;
  operation->finished = true;
  release_value_bytes(operation);
  operation->timer->cancel();
  if (operation->attempt_in_progress && operation->connection) {
    operation->connection->forget(operation->request_id);
    if (operation->is_write && operation->connection->is_ready()) {
      operation->may_have_applied = true;
    }
  }
  operation->attempt_in_progress = false;
  operation->connection.reset();
  if (operation->queued) {
    operation->queued = false;
    std::erase(queued_writes_, operation);
  }

  const bool indeterminate = operation->is_write &&
                             error.code != ErrorCode::kCasMismatch &&
                             operation->may_have_applied;
  if (indeterminate && error.outcome == Outcome::kDefinite) {
    error.message += "; an earlier attempt may have been applied";
  }
  error.outcome = indeterminate ? Outcome::kIndeterminate : Outcome::kDefinite;
  error.attempts = operation->attempts;

  unfinished_.erase(operation->number);
  const auto latency = Clock::now() - operation->submitted;
  record_stats([&](ClientStats& stats) {
    OperationStats& of = stats.of(operation->operation);
    ++of.failed;
    ++of.failed_by_code[static_cast<size_t>(error.code)];
    if (indeterminate) ++of.indeterminate;
    of.latency.record(latency);
  });
  if (is_active_write(operation)) {
    if (indeterminate && operation->sequence == 1) {
      // The cluster takes a session it does not know only at sequence 1;
      // if this first write never applied, sequence 2 would be refused
      // forever. A new session id starts afresh at 1; the old session's
      // write, if it does apply later, is still applied at most once.
      WriteSession& session = write_sessions_[operation->session];
      session.client_id = fresh_session_id();
      session.next_sequence = 0;  // release() advances it to 1
    }
    release(operation, operation->may_have_applied ||
                           error.code == ErrorCode::kCasMismatch);
  }
  operation->fail(std::move(error));
}

void Client::Impl::release(const std::shared_ptr<PendingOperation>& operation,
                           bool consumed) {
  QUOKKA_ASSERT(is_active_write(operation), "released a write that was not active");
  WriteSession& session = write_sessions_[operation->session];
  if (consumed) ++session.next_sequence;
  session.active.reset();
  idle_write_sessions_.push_back(operation->session);
  start_next_writes();
}

bool Client::Impl::is_active_write(const std::shared_ptr<PendingOperation>& operation) const {
  return operation->is_write && operation->session < write_sessions_.size() &&
         write_sessions_[operation->session].active == operation;
}

void Client::Impl::start_write(const std::shared_ptr<PendingOperation>& operation) {
  QUOKKA_ASSERT(!idle_write_sessions_.empty(), "a write started with every session busy");
  const size_t index = idle_write_sessions_.back();
  idle_write_sessions_.pop_back();
  WriteSession& session = write_sessions_[index];
  session.active = operation;
  operation->session = index;
  operation->sequence = session.next_sequence;
  start_attempt(operation);
}

void Client::Impl::start_next_writes() {
  if (shutting_down_) return;
  while (!queued_writes_.empty() && !idle_write_sessions_.empty()) {
    std::shared_ptr<PendingOperation> next = std::move(queued_writes_.front());
    queued_writes_.pop_front();
    next->queued = false;
    if (next->finished) continue;
    start_write(next);
  }
}

std::shared_ptr<Connection> Client::Impl::current_connection() {
  if (!connection_ || connection_->is_closed()) {
    connection_ = open_connection(target_);
  }
  return connection_;
}

std::shared_ptr<Connection> Client::Impl::open_connection(const std::string& address) {
  ConnectionSettings settings;
  settings.client_id = client_id_;
  settings.agent = options_.agent;
  settings.frame_bytes_max = frame_bytes_max_;
  settings.connect_timeout = options_.connect_timeout;
  settings.on_handshake_finished = [this](bool opened) {
    record_stats([&](ClientStats& stats) {
      if (opened) {
        ++stats.connections_opened;
      } else {
        ++stats.connection_failures;
      }
    });
  };
  auto connection = std::make_shared<Connection>(io_, address, std::move(settings), clock_);
  connections_.remove_if(
      [](const std::weak_ptr<Connection>& known) { return known.expired(); });
  connections_.push_back(connection);
  connection->start();
  return connection;
}

void Client::Impl::move_to_next_endpoint() {
  endpoint_index_ = (endpoint_index_ + 1) % options_.endpoints.size();
  move_to(options_.endpoints[endpoint_index_]);
}

void Client::Impl::move_to(const std::string& address) {
  if (connection_) {
    // Requests still waiting on it may yet be answered; it closes after.
    connection_->close_when_idle();
    connection_.reset();
  }
  target_ = address;
}

void Client::Impl::shutdown() {
  shutting_down_ = true;
  const auto unfinished = unfinished_;
  for (const auto& [number, operation] : unfinished) {
    finish_failure(operation,
                   make_client_error(ErrorCode::kShuttingDown, "the client was shut down before the "
                                          "operation finished"));
  }
  connection_.reset();
  for (const std::weak_ptr<Connection>& known : connections_) {
    if (std::shared_ptr<Connection> connection = known.lock()) {
      connection->close(ErrorCode::kShuttingDown, "the client was shut down");
    }
  }
  connections_.clear();
}

}  // namespace quokka::client
