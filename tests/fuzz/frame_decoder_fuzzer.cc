// libFuzzer entry point for the frame decoder; the checks live in
// frame_decoder_fuzz_body.cc so that a gtest runs them too.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "tests/fuzz/frame_decoder_fuzz_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const quokka::fuzz::FrameDecoderCaseOutcome outcome =
      quokka::fuzz::run_frame_decoder_case(std::span(data, size));
  if (!outcome.violation.empty()) {
    std::fprintf(stderr, "frame decoder property broken: %s\n",
                 outcome.violation.c_str());
    std::abort();
  }
  return 0;
}
