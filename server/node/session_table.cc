#include "server/node/session_table.h"

#include <fmt/format.h>

#include "common/assert.h"
#include "server/node/byte_codec.h"

namespace quokka::node {

std::string SessionTable::record_name(uint64_t client_id) {
  std::string name(kRecordPrefix);
  // Big-endian, so records list in client order.
  for (int shift = 56; shift >= 0; shift -= 8) {
    name.push_back(static_cast<char>((client_id >> shift) & 0xff));
  }
  return name;
}

std::string SessionTable::encode(const Session& session) {
  std::string out;
  put_u8(out, 1);  // format
  put_u64(out, session.last_seq);
  const WriteResult& r = session.last_result;
  put_u8(out, static_cast<uint8_t>(r.code));
  put_u64(out, r.revision.value());
  out += r.record.value_hash.bytes();
  put_u64(out, r.record.value_size);
  put_u64(out, r.record.create_revision.value());
  put_u64(out, r.record.mod_revision.value());
  put_u64(out, r.record.version);
  put_u8(out, r.deleted ? 1 : 0);
  put_u64(out, r.current_mod_revision.value());
  put_u64(out, session.last_used.value());
  put_u8(out, session.expired ? 1 : 0);
  return out;
}

std::optional<Session> SessionTable::decode(std::string_view bytes) {
  ByteReader reader(bytes);
  uint8_t format = 0, code = 0, deleted = 0, expired = 0;
  uint64_t revision = 0, create = 0, mod = 0, current = 0, last_used = 0;
  std::string_view hash;
  Session session;
  WriteResult& r = session.last_result;
  if (!reader.u8(format) || format != 1 || !reader.u64(session.last_seq) ||
      !reader.u8(code) || !reader.u64(revision) ||
      !reader.raw(BlobId::kSize, hash) || !reader.u64(r.record.value_size) ||
      !reader.u64(create) || !reader.u64(mod) || !reader.u64(r.record.version) ||
      !reader.u8(deleted) || !reader.u64(current) || !reader.u64(last_used) ||
      !reader.u8(expired) || reader.remaining() != 0) {
    return std::nullopt;
  }
  r.code = static_cast<ErrorCode>(code);
  r.revision = Revision(revision);
  r.record.value_hash = *BlobId::from_bytes(hash);
  r.record.create_revision = Revision(create);
  r.record.mod_revision = Revision(mod);
  r.deleted = deleted != 0;
  r.current_mod_revision = Revision(current);
  session.last_used = LogIndex(last_used);
  session.expired = expired != 0;
  return session;
}

Status SessionTable::load(const std::vector<KvPair>& records) {
  sessions_.clear();
  live_by_use_.clear();
  expired_by_use_.clear();
  for (const KvPair& record : records) {
    if (!record.key.starts_with(kRecordPrefix) ||
        record.key.size() != kRecordPrefix.size() + 8) {
      continue;
    }
    uint64_t client = 0;
    for (size_t i = kRecordPrefix.size(); i < record.key.size(); ++i) {
      client = (client << 8) | static_cast<uint8_t>(record.key[i]);
    }
    std::optional<Session> session = decode(record.value);
    if (!session) {
      return Status(ErrorCode::kCorrupt,
                    fmt::format("session record of client {:016x} is malformed", client));
    }
    auto& by_use = session->expired ? expired_by_use_ : live_by_use_;
    by_use.insert({session->last_used, client});
    sessions_[client] = *session;
  }
  return Status::ok();
}

SessionVerdict SessionTable::check(uint64_t client_id, uint64_t seq) const {
  auto it = sessions_.find(client_id);
  if (it == sessions_.end()) {
    return seq == 1 ? SessionVerdict::kApply : SessionVerdict::kUnknownSession;
  }
  if (it->second.expired) return SessionVerdict::kExpiredSession;
  if (seq == it->second.last_seq) return SessionVerdict::kDuplicate;
  if (seq < it->second.last_seq) return SessionVerdict::kSuperseded;
  return SessionVerdict::kApply;
}

const Session* SessionTable::find(uint64_t client_id) const {
  auto it = sessions_.find(client_id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void SessionTable::put(uint64_t client_id, const Session& session, WriteBatch& batch) {
  sessions_[client_id] = session;
  batch.put_node_record(record_name(client_id), encode(session));
}

void SessionTable::record(uint64_t client_id, uint64_t seq, const WriteResult& result,
                          LogIndex index, WriteBatch& batch) {
  auto it = sessions_.find(client_id);
  if (it != sessions_.end()) {
    QUOKKA_ASSERT(!it->second.expired, "recording into the expired session {:x}",
                  client_id);
    live_by_use_.erase({it->second.last_used, client_id});
  } else if (live_by_use_.size() >= sessions_max_) {
    // Evict the least recently used live session into a tombstone, so its
    // client learns its session expired instead of seeing a second apply.
    const auto [used, evicted] = *live_by_use_.begin();
    live_by_use_.erase(live_by_use_.begin());
    Session tombstone = sessions_.at(evicted);
    tombstone.expired = true;
    tombstone.last_used = index;
    expired_by_use_.insert({index, evicted});
    put(evicted, tombstone, batch);
    if (expired_by_use_.size() > sessions_max_) {
      const auto [old_used, dropped] = *expired_by_use_.begin();
      expired_by_use_.erase(expired_by_use_.begin());
      sessions_.erase(dropped);
      batch.delete_node_record(record_name(dropped));
    }
  }
  Session session{seq, result, index, false};
  live_by_use_.insert({index, client_id});
  put(client_id, session, batch);
}

}  // namespace quokka::node
