#include "server/node/command.h"

#include <fmt/format.h>

#include "server/node/byte_codec.h"

namespace quokka::node {
namespace {

constexpr uint8_t kCommandFormat = 1;

Status corrupt(std::string_view what) {
  return Status(ErrorCode::kCorrupt, fmt::format("log command is malformed: {}", what));
}

}  // namespace

std::string encode_command(const Command& command) {
  std::string out;
  out.reserve(2 + 16 + 4 + command.key.size() + BlobId::kSize + 16);
  put_u8(out, kCommandFormat);
  put_u8(out, static_cast<uint8_t>(command.type));
  put_u64(out, command.id.client_id);
  put_u64(out, command.id.seq);
  put_bytes(out, command.key);
  out += command.value.bytes();
  put_u64(out, command.value_size);
  put_u64(out, command.expected_mod_revision.value());
  return out;
}

Result<Command> decode_command(std::string_view data) {
  ByteReader reader(data);
  uint8_t format = 0;
  uint8_t type = 0;
  if (!reader.u8(format)) return corrupt("empty");
  if (format != kCommandFormat) {
    return Status(ErrorCode::kCorrupt,
                  fmt::format("log command has format {}; this binary reads format {}",
                              format, kCommandFormat));
  }
  if (!reader.u8(type) || type < 1 || type > 3) return corrupt("unknown type");
  Command command;
  command.type = static_cast<CommandType>(type);
  std::string_view key;
  std::string_view value;
  uint64_t expected = 0;
  if (!reader.u64(command.id.client_id) || !reader.u64(command.id.seq) ||
      !reader.bytes(key) || !reader.raw(BlobId::kSize, value) || !reader.u64(command.value_size) ||
      !reader.u64(expected)) {
    return corrupt("truncated");
  }
  if (reader.remaining() != 0) return corrupt("trailing bytes");
  command.key = std::string(key);
  command.value = *BlobId::from_bytes(value);
  command.expected_mod_revision = Revision(expected);
  return command;
}

}  // namespace quokka::node
