#include "server/consensus/read_index.h"

namespace quokka::consensus {

size_t ReadIndexState::pending() const {
  size_t count = queued.size();
  for (const ReadRound& round : rounds) count += round.requests.size();
  return count;
}

// A fixed prefix keeps a round's context apart from any other heartbeat
// context; eight big-endian bytes follow.
constexpr char kRoundPrefix = 'r';

std::string encode_read_round(uint64_t id) {
  std::string out(1, kRoundPrefix);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((id >> shift) & 0xff));
  }
  return out;
}

uint64_t decode_read_round(const std::string& context) {
  if (context.size() != 9 || context[0] != kRoundPrefix) return 0;
  uint64_t id = 0;
  for (size_t i = 1; i < 9; ++i) {
    id = (id << 8) | static_cast<uint8_t>(context[i]);
  }
  return id;
}

}  // namespace quokka::consensus
