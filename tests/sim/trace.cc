#include "tests/sim/trace.h"

#include <cstdio>

namespace quokka::sim {

void Trace::fold(std::string_view fact) {
  for (char c : fact) {
    digest_ ^= static_cast<uint8_t>(c);
    digest_ *= 0x100000001b3ULL;
  }
  digest_ ^= 0xff;
  digest_ *= 0x100000001b3ULL;
}

void Trace::record(uint64_t time_ms, std::string_view line) {
  std::string text = fmt::format("{:>8}ms {}", time_ms, line);
  fold(text);
  // Flushed, so the lines before an abort are not lost with the buffer.
  if (verbose_) {
    std::fprintf(stdout, "%s\n", text.c_str());
    std::fflush(stdout);
  }
  lines_.push_back(std::move(text));
  while (lines_.size() > lines_kept_) lines_.pop_front();
}

}  // namespace quokka::sim
