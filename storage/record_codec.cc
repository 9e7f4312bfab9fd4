#include "storage/record_codec.h"

#include "storage/storage_state.h"

namespace quokka::record_codec {

void put_u64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint64_t get_u64(std::string_view in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value = (value << 8) | static_cast<uint8_t>(in[i]);
  }
  return value;
}

std::string log_key(LogIndex index) {
  std::string key;
  put_u64(key, index.value());
  return key;
}

std::optional<LogIndex> decode_log_key(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  return LogIndex(get_u64(key));
}

std::string encode_log_entry_value(const LogEntry& entry) {
  std::string value;
  value.reserve(9 + entry.data.size());
  put_u64(value, entry.term.value());
  value.push_back(static_cast<char>(entry.type));
  value += entry.data;
  return value;
}

std::optional<LogEntry> decode_log_entry(LogIndex index, std::string_view value) {
  if (value.size() < 9) return std::nullopt;
  auto type = static_cast<uint8_t>(value[8]);
  if (type > static_cast<uint8_t>(EntryType::kConfChange)) return std::nullopt;
  return LogEntry{index, Term(get_u64(value)), static_cast<EntryType>(type),
                  std::string(value.substr(9))};
}

std::string encode_hard_state(const HardState& state) {
  std::string value;
  put_u64(value, state.term.value());
  put_u64(value, state.vote.value());
  put_u64(value, state.commit.value());
  return value;
}

std::optional<HardState> decode_hard_state(std::string_view value) {
  if (value.size() != 24) return std::nullopt;
  return HardState{Term(get_u64(value)), NodeId(get_u64(value.substr(8))),
                   LogIndex(get_u64(value.substr(16)))};
}

std::string encode_applied_state(const AppliedState& state) {
  std::string value;
  put_u64(value, state.index.value());
  put_u64(value, state.term.value());
  put_u64(value, state.revision.value());
  return value;
}

std::optional<AppliedState> decode_applied_state(std::string_view value) {
  if (value.size() != 24) return std::nullopt;
  return AppliedState{LogIndex(get_u64(value)), Term(get_u64(value.substr(8))),
                      Revision(get_u64(value.substr(16)))};
}

std::string encode_log_position(const LogPosition& position) {
  std::string value;
  put_u64(value, position.index.value());
  put_u64(value, position.term.value());
  return value;
}

std::optional<LogPosition> decode_log_position(std::string_view value) {
  if (value.size() != 16) return std::nullopt;
  return LogPosition{LogIndex(get_u64(value)), Term(get_u64(value.substr(8)))};
}

std::string encode_pointer(const PointerRecord& record) {
  std::string value(record.value_hash.bytes());
  put_u64(value, record.value_size);
  put_u64(value, record.create_revision.value());
  put_u64(value, record.mod_revision.value());
  put_u64(value, record.version);
  return value;
}

std::optional<PointerRecord> decode_pointer(std::string_view value) {
  if (value.size() != BlobId::kSize + 32) return std::nullopt;
  auto hash = BlobId::from_bytes(value.substr(0, BlobId::kSize));
  if (!hash) return std::nullopt;
  std::string_view rest = value.substr(BlobId::kSize);
  return PointerRecord{*hash, get_u64(rest), Revision(get_u64(rest.substr(8))),
                       Revision(get_u64(rest.substr(16))),
                       get_u64(rest.substr(24))};
}

std::string encode_blob_ref(const BlobRefRecord& record) {
  std::string value;
  put_u64(value, record.count);
  put_u64(value, record.unreferenced_since_ms);
  return value;
}

std::optional<BlobRefRecord> decode_blob_ref(std::string_view value) {
  if (value.size() != 16) return std::nullopt;
  return BlobRefRecord{get_u64(value), get_u64(value.substr(8))};
}

std::string node_record_key(std::string_view name) {
  std::string key;
  key.reserve(meta_key::kNodeRecordPrefix.size() + name.size());
  key += meta_key::kNodeRecordPrefix;
  key += name;
  return key;
}

std::optional<std::string> decode_node_record_key(std::string_view key) {
  if (!key.starts_with(meta_key::kNodeRecordPrefix)) return std::nullopt;
  return std::string(key.substr(meta_key::kNodeRecordPrefix.size()));
}

std::string encode_format_version(uint32_t version) {
  std::string value;
  put_u64(value, version);
  return value;
}

std::optional<uint32_t> decode_format_version(std::string_view value) {
  if (value.size() != 8) return std::nullopt;
  uint64_t version = get_u64(value);
  if (version > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(version);
}

}  // namespace quokka::record_codec
