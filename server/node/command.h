#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/blob_id.h"
#include "common/status.h"
#include "common/types.h"
#include "server/node/client_api.h"

namespace quokka::node {

// What a kNormal log entry carries: a pointer change, never the value
// itself (DESIGN.md principle 1: the Raft log carries pointers).
enum class CommandType : uint8_t {
  kPut = 1,
  kDelete = 2,
  kCompareAndSwap = 3,
};

struct Command {
  CommandType type = CommandType::kPut;
  WriteIdentity id;
  std::string key;
  // kPut, kCompareAndSwap: the value's id and size.
  BlobId value;
  uint64_t value_size = 0;
  // kCompareAndSwap: the mod_revision the key must have (0: absent).
  Revision expected_mod_revision;

  bool references_value() const { return type != CommandType::kDelete; }
};

// Encoding: format byte, type byte, client id and seq (8 bytes each, little
// endian), key length (4) and key, value id (32), value size (8), expected
// revision (8). An empty entry is a leader's no-op, not a Command.
std::string encode_command(const Command& command);
// CORRUPT naming what is wrong when `data` is not an encoded Command.
Result<Command> decode_command(std::string_view data);

}  // namespace quokka::node
