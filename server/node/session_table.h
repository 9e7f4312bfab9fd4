#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "storage/kv_store.h"
#include "storage/pointer_record.h"
#include "storage/write_batch.h"

namespace quokka::node {

// The outcome of one applied write, kept so a retry gets the same answer.
struct WriteResult {
  ErrorCode code = ErrorCode::kOk;
  Revision revision;          // the revision the write made (OK)
  PointerRecord record;       // Put / CAS: the key's new record
  bool deleted = false;       // Delete: the key existed
  Revision current_mod_revision;  // CAS_MISMATCH: what the key had
  bool operator==(const WriteResult&) const = default;
};

// One client's exactly-once session: its last applied write and result.
// An expired session is a tombstone: its client must start a new session.
struct Session {
  uint64_t last_seq = 0;
  WriteResult last_result;
  LogIndex last_used;  // log index of the last write, for LRU eviction
  bool expired = false;
  bool operator==(const Session&) const = default;
};

// What to do with a write of (client, seq), decided in log order on every
// node alike.
enum class SessionVerdict : uint8_t {
  kApply,           // new: apply it and record the result
  kDuplicate,       // seq == last: answer the recorded result, apply nothing
  kSuperseded,      // seq < last: an older write; apply nothing
  kUnknownSession,  // no session and seq != 1
  kExpiredSession,  // the session was evicted
};

// The exactly-once session table (a replicated part of the state): at most
// `sessions_max` live sessions; when a new one needs room the least
// recently used becomes a tombstone, and at most `sessions_max` tombstones
// are kept (the oldest dropped first). Mirrored into node records
// "session/<client id, 8 bytes big-endian>" in the same write batch as the
// write it records, so it survives restarts and travels in snapshots.
class SessionTable {
 public:
  explicit SessionTable(uint64_t sessions_max) : sessions_max_(sessions_max) {}

  // Loads the table from node records (at open and after a snapshot).
  Status load(const std::vector<KvPair>& records);

  SessionVerdict check(uint64_t client_id, uint64_t seq) const;
  const Session* find(uint64_t client_id) const;

  // Records `result` for (client, seq) at `index`, evicting as needed, and
  // adds the record changes to `batch`.
  void record(uint64_t client_id, uint64_t seq, const WriteResult& result,
              LogIndex index, WriteBatch& batch);

  size_t live_count() const { return live_by_use_.size(); }

  static constexpr std::string_view kRecordPrefix = "session/";

 private:
  static std::string record_name(uint64_t client_id);
  static std::string encode(const Session& session);
  static std::optional<Session> decode(std::string_view bytes);
  void put(uint64_t client_id, const Session& session, WriteBatch& batch);

  uint64_t sessions_max_;
  std::map<uint64_t, Session> sessions_;
  // Live and expired sessions by last use; the first is evicted first.
  std::set<std::pair<LogIndex, uint64_t>> live_by_use_;
  std::set<std::pair<LogIndex, uint64_t>> expired_by_use_;
};

}  // namespace quokka::node
