#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "common/error_code.h"

namespace quokka::fuzz {

// What one fuzz case did, so that callers can both fail on a broken
// property and check that a corpus reaches every outcome.
struct FrameDecoderCaseOutcome {
  // Empty when every property held; otherwise which one broke, in words.
  std::string violation;
  size_t frames_decoded = 0;
  // The decoder's final error (after finish()); kOk for a clean stream.
  ErrorCode error_code = ErrorCode::kOk;
};

// The body of the frame decoder fuzzer, shared by the libFuzzer target and
// an ordinary gtest.
//
// Input layout: byte 0 chooses the decoder's options (frame limit and
// accepted versions, see frame_decoder_fuzz_body.cc); the remaining bytes
// are the stream. The case decodes the stream twice, once whole and once in
// pieces whose sizes derive from the input, and checks that:
//   - both runs give the same frames and the same error, word for word;
//   - the decoder never holds more than the frame limit plus a header;
//   - an error is one of TOO_LARGE, UNSUPPORTED_VERSION, INVALID_ARGUMENT,
//     has a message, and is final (later bytes decode nothing);
//   - every decoded envelope has an accepted version and a kind, and
//     re-encodes into a stream that decodes to the same envelopes.
FrameDecoderCaseOutcome run_frame_decoder_case(
    std::span<const uint8_t> input);

}  // namespace quokka::fuzz
