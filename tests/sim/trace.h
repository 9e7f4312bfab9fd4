#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace quokka::sim {

// What happened in a run, for a person reading a failure: the last
// `lines_kept` events (all of them with `verbose`, printed as they happen),
// and a digest over every event, so two runs of one seed can be compared
// without keeping their whole traces.
class Trace {
 public:
  explicit Trace(size_t lines_kept = 400) : lines_kept_(lines_kept) {}

  void set_verbose(bool verbose) { verbose_ = verbose; }
  bool verbose() const { return verbose_; }

  void record(uint64_t time_ms, std::string_view line);

  template <typename... Args>
  void note(uint64_t time_ms, fmt::format_string<Args...> format, Args&&... args) {
    record(time_ms, fmt::format(format, std::forward<Args>(args)...));
  }

  // Folds a fact into the digest without keeping a line for it.
  void fold(std::string_view fact);

  uint64_t digest() const { return digest_; }
  const std::deque<std::string>& last_lines() const { return lines_; }

 private:
  size_t lines_kept_;
  bool verbose_ = false;
  // FNV-1a 64 over every recorded line and folded fact.
  uint64_t digest_ = 0xcbf29ce484222325ULL;
  std::deque<std::string> lines_;
};

}  // namespace quokka::sim
