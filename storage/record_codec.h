#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/blob_id.h"
#include "storage/log_entry.h"
#include "storage/pointer_record.h"

namespace quokka::record_codec {

// The byte layouts of quokka's on-disk records (format version 1). Integers
// are fixed-width big-endian, so keys made of them sort numerically. Decoders
// return nullopt on a record of the wrong size or with a bad field; the
// caller reports it as CORRUPT, naming the record.

// The reference count of one blob. In memory, one for every blob stored; on
// disk too, but written only when the count is 0 (format 3 leaves the count
// to the pointers, blob_references.h), so a stored record's count is not
// read.
struct BlobRefRecord {
  uint64_t count = 0;
  // When the count last dropped to zero (or the blob was stored), in the
  // caller's milliseconds; meaningful only while count is 0.
  uint64_t unreferenced_since_ms = 0;
  bool operator==(const BlobRefRecord&) const = default;
};

void put_u64(std::string& out, uint64_t value);
uint64_t get_u64(std::string_view in);  // needs in.size() >= 8

std::string log_key(LogIndex index);
std::optional<LogIndex> decode_log_key(std::string_view key);

std::string encode_log_entry_value(const LogEntry& entry);
std::optional<LogEntry> decode_log_entry(LogIndex index, std::string_view value);

std::string encode_hard_state(const HardState& state);
std::optional<HardState> decode_hard_state(std::string_view value);

std::string encode_applied_state(const AppliedState& state);
std::optional<AppliedState> decode_applied_state(std::string_view value);

std::string encode_log_position(const LogPosition& position);
std::optional<LogPosition> decode_log_position(std::string_view value);

std::string encode_pointer(const PointerRecord& record);
std::optional<PointerRecord> decode_pointer(std::string_view value);

std::string encode_blob_ref(const BlobRefRecord& record);
std::optional<BlobRefRecord> decode_blob_ref(std::string_view value);

// A node record lives in the meta key space under the node record prefix
// followed by its name; its value is stored as given.
std::string node_record_key(std::string_view name);
// The name in a node record key; nullopt when the key lacks the prefix.
std::optional<std::string> decode_node_record_key(std::string_view key);

std::string encode_format_version(uint32_t version);
std::optional<uint32_t> decode_format_version(std::string_view value);

}  // namespace quokka::record_codec
