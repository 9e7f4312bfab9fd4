#include "server/node/snapshot_codec.h"

#include <fmt/format.h>

#include "server/node/byte_codec.h"

namespace quokka::node {
namespace {

constexpr uint8_t kSnapshotFormat = 1;

Status corrupt(std::string_view what) {
  return Status(ErrorCode::kCorrupt, fmt::format("snapshot data is malformed: {}", what));
}

void put_ids(std::string& out, const std::vector<NodeId>& ids) {
  put_u32(out, static_cast<uint32_t>(ids.size()));
  for (NodeId id : ids) put_u64(out, id.value());
}

bool read_ids(ByteReader& reader, std::vector<NodeId>& ids) {
  uint32_t count = 0;
  if (!reader.u32(count) || count > reader.remaining() / 8) return false;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t id = 0;
    if (!reader.u64(id)) return false;
    ids.push_back(NodeId(id));
  }
  return true;
}

}  // namespace

std::string encode_state_snapshot(const StateSnapshot& s) {
  std::string out;
  put_u8(out, kSnapshotFormat);
  put_u64(out, s.applied.index.value());
  put_u64(out, s.applied.term.value());
  put_u64(out, s.applied.revision.value());
  put_u64(out, s.pointers.size());
  for (const KeyPointer& p : s.pointers) {
    put_bytes(out, p.key);
    out += p.record.value_hash.bytes();
    put_u64(out, p.record.value_size);
    put_u64(out, p.record.create_revision.value());
    put_u64(out, p.record.mod_revision.value());
    put_u64(out, p.record.version);
  }
  put_u64(out, s.blobs.size());
  for (const BlobId& id : s.blobs) out += id.bytes();
  put_u64(out, s.node_records.size());
  for (const KvPair& record : s.node_records) {
    put_bytes(out, record.key);
    put_bytes(out, record.value);
  }
  return out;
}

Result<StateSnapshot> decode_state_snapshot(std::string_view data) {
  ByteReader reader(data);
  StateSnapshot s;
  uint8_t format = 0;
  uint64_t index = 0, term = 0, revision = 0, count = 0;
  if (!reader.u8(format)) return corrupt("empty");
  if (format != kSnapshotFormat) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("snapshot data has format {}; this binary reads format {}",
                              format, kSnapshotFormat));
  }
  if (!reader.u64(index) || !reader.u64(term) || !reader.u64(revision) ||
      !reader.u64(count)) {
    return corrupt("truncated header");
  }
  s.applied = {LogIndex(index), Term(term), Revision(revision)};
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view key, hash;
    uint64_t size = 0, create = 0, mod = 0, version = 0;
    if (!reader.bytes(key) || !reader.raw(BlobId::kSize, hash) || !reader.u64(size) ||
        !reader.u64(create) || !reader.u64(mod) || !reader.u64(version)) {
      return corrupt("truncated pointer");
    }
    s.pointers.push_back(KeyPointer{
        std::string(key),
        PointerRecord{*BlobId::from_bytes(hash), size, Revision(create), Revision(mod), version}});
  }
  if (!reader.u64(count)) return corrupt("truncated value list");
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view hash;
    if (!reader.raw(BlobId::kSize, hash)) return corrupt("truncated value id");
    s.blobs.push_back(*BlobId::from_bytes(hash));
  }
  if (!reader.u64(count)) return corrupt("truncated record list");
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view key, value;
    if (!reader.bytes(key) || !reader.bytes(value)) return corrupt("truncated record");
    s.node_records.push_back(KvPair{std::string(key), std::string(value)});
  }
  if (reader.remaining() != 0) return corrupt("trailing bytes");
  return s;
}

std::string encode_conf_state(const consensus::ConfState& conf) {
  std::string out;
  put_u8(out, 1);
  put_ids(out, conf.voters);
  put_ids(out, conf.learners);
  return out;
}

Result<consensus::ConfState> decode_conf_state(std::string_view data) {
  ByteReader reader(data);
  consensus::ConfState conf;
  uint8_t format = 0;
  if (!reader.u8(format) || format != 1 || !read_ids(reader, conf.voters) ||
      !read_ids(reader, conf.learners) || reader.remaining() != 0) {
    return Status(ErrorCode::kCorrupt, "membership record is malformed");
  }
  return conf;
}

}  // namespace quokka::node
