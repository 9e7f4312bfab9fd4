#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/client_error.h"
#include "client/client_options.h"
#include "client/client_results.h"
#include "client/client_stats.h"
#include "common/status.h"
#include "common/types.h"

namespace quokka::client {

// Per-call options shared by every operation.
struct RequestOptions {
  // From submission to the callback, retries and queueing included.
  // 0 means ClientOptions::request_deadline_default.
  std::chrono::milliseconds deadline{0};
};

enum class Consistency : uint8_t {
  // The default: the leader confirms it still leads (ReadIndex) and answers
  // from state at least as new as every write acknowledged before the read.
  kLinearizable,
  // The answering node's applied state, which may lag; with min_revision it
  // is at least that new (read-your-writes on any node).
  kStale,
};

struct GetOptions {
  Consistency consistency = Consistency::kLinearizable;
  // kStale only; 0 = no minimum.
  Revision min_revision;
  // Leave KeyValue::value empty (hash and size still filled in).
  bool keys_only = false;
  std::chrono::milliseconds deadline{0};
};

// The keys a range scan selects: every key with a prefix (an empty prefix
// selects all), or [start, end) compared as unsigned bytes, where an empty
// end means "to the end of the key space".
struct KeyRange {
  bool is_prefix = true;
  std::string start;  // the prefix, or the interval's inclusive start
  std::string end;    // the interval's exclusive end; unused for a prefix

  static KeyRange prefix(std::string prefix);
  static KeyRange interval(std::string start, std::string end);
};

struct RangeOptions {
  // Keys per page; 0 = the node's page limit (larger values are capped by
  // the node, not refused).
  uint32_t limit = 0;
  // Empty for the first page, else the previous page's continuation_key.
  std::string continuation_key;
  Consistency consistency = Consistency::kLinearizable;
  Revision min_revision;
  bool keys_only = false;
  std::chrono::milliseconds deadline{0};
};

template <typename T>
using Callback = std::function<void(ClientResult<T>)>;
using StatusCallback = std::function<void(std::vector<EndpointStatus>)>;

// A connection to a quokka cluster, for one application. Thread-safe: any
// thread may call any method.
//
// Routing: requests go to one node at a time, starting with the first
// endpoint. A NOT_LEADER answer naming the leader's address moves the client
// there; NOT_LEADER without a hint, NO_QUORUM, SHUTTING_DOWN, a failed
// connection or an attempt without an answer move it to the next endpoint.
// Each connection starts with a Hello handshake (role CLIENT, this build's
// protocol versions, the client id); a node that refuses it (for example
// UNSUPPORTED_VERSION) ends the operation with that error.
//
// Retries: reads and writes are retried with a jittered backoff within
// their deadline and RetryPolicy::attempts_max. A write gets the next
// sequence number of this client once, when it starts, and keeps it across
// retries, so the cluster applies it at most once. The cluster's
// exactly-once session keeps only a session's last result, so a session
// has one write in flight at a time; a client runs
// ClientOptions::write_sessions sessions, so that many writes are in
// flight at once, and later writes wait in order, in a bounded queue.
// Writes in flight together may apply in any order.
//
// Every error says whether the operation certainly did not happen
// (definite) or may have happened (indeterminate): a write that timed out
// after its request was sent is indeterminate, a read never is.
//
// Async calls return at once; the callback runs later on the client's own
// I/O thread, exactly once, and must neither block nor throw. The blocking
// calls wait for the same callback; calling one from inside a callback is a
// programmer error (it would wait for itself) and aborts.
class Client {
 public:
  // INVALID_ARGUMENT when the options are not valid.
  static Result<std::unique_ptr<Client>> create(ClientOptions options);

  // Fails every unfinished operation with SHUTTING_DOWN (indeterminate for a
  // write that may have been sent), then closes every connection.
  ~Client();

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The random 64-bit id this client sends in its Hello and in every write.
  uint64_t client_id() const;
  const ClientOptions& options() const;

  void put_async(std::string key, std::string value, Callback<PutResult> done,
                 const RequestOptions& options = {});
  void get_async(std::string key, Callback<GetResult> done,
                 const GetOptions& options = {});
  void del_async(std::string key, Callback<DeleteResult> done,
                 const RequestOptions& options = {});
  // Writes only if the key's mod_revision is `expected_mod_revision`;
  // Revision(0) means "only if the key does not exist".
  void compare_and_swap_async(std::string key, Revision expected_mod_revision,
                              std::string value,
                              Callback<CompareAndSwapResult> done,
                              const RequestOptions& options = {});
  void range_async(KeyRange range, Callback<RangeResult> done,
                   const RangeOptions& options = {});
  // Asks every configured endpoint directly, in parallel; the callback gets
  // one entry per endpoint, in the configured order.
  void status_async(StatusCallback done, const RequestOptions& options = {});

  ClientResult<PutResult> put(std::string key, std::string value,
                              const RequestOptions& options = {});
  ClientResult<GetResult> get(std::string key, const GetOptions& options = {});
  ClientResult<DeleteResult> del(std::string key,
                                 const RequestOptions& options = {});
  ClientResult<CompareAndSwapResult> compare_and_swap(
      std::string key, Revision expected_mod_revision, std::string value,
      const RequestOptions& options = {});
  ClientResult<RangeResult> range(KeyRange range,
                                  const RangeOptions& options = {});
  std::vector<EndpointStatus> status(const RequestOptions& options = {});

  // A copy of the client's own statistics so far.
  ClientStats stats() const;

  class Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace quokka::client
