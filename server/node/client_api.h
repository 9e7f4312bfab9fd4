#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace quokka::node {

// The client API of DESIGN.md "Client API" as the node sees it; quokkad
// maps proto/client.proto onto these, the simulator calls them directly.

enum class ReadConsistency : uint8_t {
  // ReadIndex: a quorum round, then wait until applied >= the read index.
  kLinearizable,
  // The node's applied state as it is, no older than `min_revision`.
  kStale,
};

// A write's identity for exactly-once: a client id chosen by the client
// (random, 64 bits) and a sequence number that starts at 1 and grows by one
// per write. A client has at most one write outstanding per client id; a
// retry reuses the same (client_id, seq). A write refused because the
// client has no session (its seq 1 never applied) or its session expired
// did not apply; the client continues under a new client id, and an
// earlier attempt of that write whose outcome it never learned stays
// indeterminate.
struct WriteIdentity {
  uint64_t client_id = 0;
  uint64_t seq = 0;
};

struct PutRequest {
  std::string key;
  std::string value;
  WriteIdentity id;
};

struct GetRequest {
  std::string key;
  ReadConsistency consistency = ReadConsistency::kLinearizable;
  // kStale: refused (definitely, retryable elsewhere) when this node has not
  // applied this revision yet. Gives read-your-writes on any node.
  Revision min_revision;
};

struct DeleteRequest {
  std::string key;
  WriteIdentity id;
};

// Writes `value` only if the key's mod_revision is `expected_mod_revision`;
// 0 means "only if the key does not exist".
struct CompareAndSwapRequest {
  std::string key;
  Revision expected_mod_revision;
  std::string value;
  WriteIdentity id;
};

// Keys in [start, end) in ascending order, or every key with the prefix
// `start` when `prefix` is set. At most `limit` keys (0: the server's page
// limit) per page; `more` says whether to ask again from after the last key.
struct RangeRequest {
  std::string start;
  std::string end;
  bool prefix = false;
  uint64_t limit = 0;
  ReadConsistency consistency = ReadConsistency::kLinearizable;
  // The next page: start here (inclusive) instead of at `start`; empty for
  // the first page.
  std::string continuation;
};

using ClientRequest = std::variant<PutRequest, GetRequest, DeleteRequest,
                                   CompareAndSwapRequest, RangeRequest>;

std::string_view request_name(const ClientRequest& request);
bool is_write(const ClientRequest& request);
// The bytes of keys and values a request carries, for bounded queues.
uint64_t request_bytes(const ClientRequest& request);

struct KeyValue {
  std::string key;
  std::string value;
  Revision create_revision;
  Revision mod_revision;
  uint64_t version = 0;
  bool operator==(const KeyValue&) const = default;
};

// Every answer, success or not, says where it came from.
struct ResponseHeader {
  // The revision of the state the answer reflects (a write: its own).
  Revision revision;
  Term term;
  NodeId node;
};

struct ClientResponse {
  Status status;
  // For an error: false when it definitely did not happen (safe to retry
  // anywhere), true when it may have happened (retry with the same
  // WriteIdentity to learn the outcome). Never true for reads.
  bool indeterminate = false;
  // NOT_LEADER: the leader this node knows of, NodeId(0) if none.
  NodeId leader_hint;
  ResponseHeader header;
  // Get: the key's value, nullopt when absent. Put / CAS: the new record.
  std::optional<KeyValue> kv;
  // Delete: whether the key existed.
  bool deleted = false;
  // CAS_MISMATCH: the key's mod_revision (0 when absent).
  Revision current_mod_revision;
  // Range.
  std::vector<KeyValue> kvs;
  bool more = false;
};

using ResponseCallback = std::function<void(ClientResponse)>;

}  // namespace quokka::node
