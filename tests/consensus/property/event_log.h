#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace quokka::testing::raft_property {

// What a schedule did, one line per event: the last `recent_max` lines for a
// failure report, and a digest of every line so a test can show that the
// same seed replays exactly the same run.
class EventLog {
 public:
  static constexpr size_t kRecentMax = 50;

  void record(std::string line) {
    digest_ = fold(digest_, line);
    ++count_;
    recent_.push_back(std::move(line));
    if (recent_.size() > kRecentMax) recent_.pop_front();
  }

  uint64_t count() const { return count_; }
  uint64_t digest() const { return digest_; }
  std::vector<std::string> recent() const {
    return {recent_.begin(), recent_.end()};
  }

 private:
  // FNV-1a, with a separator so that ("ab", "c") and ("a", "bc") differ.
  static uint64_t fold(uint64_t hash, std::string_view line) {
    for (const char c : line) {
      hash ^= static_cast<uint8_t>(c);
      hash *= 0x100000001b3ULL;
    }
    hash ^= 0xff;
    hash *= 0x100000001b3ULL;
    return hash;
  }

  std::deque<std::string> recent_;
  uint64_t count_ = 0;
  uint64_t digest_ = 0xcbf29ce484222325ULL;
};

}  // namespace quokka::testing::raft_property
