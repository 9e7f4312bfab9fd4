#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/client_error.h"
#include "common/types.h"
#include "proto/protocol_version.h"

namespace quokka::client {

// Where an answer came from: every successful result carries one.
struct ResponseHeader {
  // The revision the answer reflects: a write's own revision, or the applied
  // revision a read saw.
  Revision revision;
  // The answering node's Raft term and id when it answered.
  Term term;
  NodeId node;
  // The endpoint ("host:port") the answer came from.
  std::string endpoint;
};

// One key and what it points at.
struct KeyValue {
  std::string key;
  // Empty in write results and for keys-only reads.
  std::string value;
  Revision create_revision;
  // What compare_and_swap compares.
  Revision mod_revision;
  // Writes to the key since it was created; 1 after the first put.
  uint64_t version = 0;
  // SHA-256 of the value (32 raw bytes).
  std::string value_hash;
  uint64_t value_size = 0;
};

struct PutResult {
  ResponseHeader header;
  // The key after the write, without its value.
  KeyValue kv;
};

// A missing key is not an error: `kv` is empty and header.revision says at
// which revision the key was absent.
struct GetResult {
  ResponseHeader header;
  std::optional<KeyValue> kv;
};

struct DeleteResult {
  ResponseHeader header;
  // False when the key did not exist (deleting it still succeeds).
  bool existed = false;
};

// A mismatch is an error (CAS_MISMATCH, definite) that carries the key's
// actual mod_revision; this is the successful swap.
struct CompareAndSwapResult {
  ResponseHeader header;
  KeyValue kv;
};

// One page of a range scan, consistent at header.revision.
struct RangeResult {
  ResponseHeader header;
  std::vector<KeyValue> kvs;
  // True when keys remain; pass continuation_key to read the next page.
  bool more = false;
  std::string continuation_key;
};

enum class RaftRole : uint8_t {
  kUnknown,
  kFollower,
  kPreCandidate,
  kCandidate,
  kLeader,
  kLearner,
};

// "leader", "follower", ...
std::string_view raft_role_name(RaftRole role);

// One node's view of itself, from a StatusRequest.
struct NodeStatus {
  ResponseHeader header;
  RaftRole role = RaftRole::kUnknown;
  // 0 when the node knows no leader.
  NodeId leader;
  LogIndex commit_index;
  LogIndex applied_index;
  std::string cluster_id;
  // The versions the node speaks, and the one the handshake chose.
  proto::ProtocolVersionRange protocol_versions{};
  proto::ProtocolVersion chosen_protocol_version = 0;
  std::string software_version;
  uint64_t stored_blob_bytes = 0;
};

// The status of one configured endpoint, asked directly (no hints followed,
// no retries elsewhere).
struct EndpointStatus {
  std::string endpoint;
  ClientResult<NodeStatus> status;
};

}  // namespace quokka::client
