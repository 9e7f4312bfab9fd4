#include "tests/fuzz/frame_decoder_fuzz_body.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "proto/frame_decoder.h"
#include "proto/frame_encoder.h"
#include "proto/frame_format.h"

namespace quokka::fuzz {
namespace {

using proto::Envelope;
using proto::FrameDecoder;
using proto::FrameDecoderOptions;
using proto::ProtocolVersionRange;

// Small limits make the oversize path reachable with short inputs; the
// default keeps the production setting covered.
constexpr std::array<uint32_t, 5> kFrameLimits = {
    proto::kFrameBytesMaxFloor, 16, 300, 4096, proto::kFrameBytesMaxDefault};
constexpr std::array<ProtocolVersionRange, 2> kVersionRanges = {
    proto::kSupportedProtocolVersions, ProtocolVersionRange{1, 3}};

FrameDecoderOptions options_from_selector(uint8_t selector) {
  return FrameDecoderOptions{
      .max_frame_bytes = kFrameLimits[selector % kFrameLimits.size()],
      .accepted_versions =
          kVersionRanges[(selector / kFrameLimits.size()) %
                         kVersionRanges.size()],
  };
}

// A deterministic generator written out here (not <random>'s
// distributions) so that g++/libstdc++ and clang builds split a given input
// the same way.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

uint64_t fnv1a(std::string_view bytes) {
  uint64_t hash = 0xCBF29CE484222325ULL;
  for (char byte : bytes) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 0x100000001B3ULL;
  }
  return hash;
}

struct DecodeRun {
  std::vector<Envelope> frames;
  Status status;
  std::string violation;
};

std::string check_buffer_bounds(const FrameDecoder& decoder,
                                const FrameDecoderOptions& options) {
  const size_t bound = proto::kFrameHeaderBytes + options.max_frame_bytes;
  if (decoder.buffered_bytes() > bound) {
    return fmt::format("decoder buffers {} bytes, over the bound of {}",
                       decoder.buffered_bytes(), bound);
  }
  if (decoder.buffer_capacity() > bound) {
    return fmt::format("decoder reserved {} bytes, over the bound of {}",
                       decoder.buffer_capacity(), bound);
  }
  return {};
}

// Feeds `stream` in pieces of the given sizes (the last piece takes the
// rest), then finishes.
DecodeRun decode_in_pieces(std::string_view stream,
                           const FrameDecoderOptions& options,
                           SplitMix64* piece_sizes) {
  DecodeRun run;
  FrameDecoder decoder(options);
  while (!stream.empty()) {
    size_t piece = stream.size();
    if (piece_sizes != nullptr) {
      // Mostly tiny pieces, to cut headers and bodies everywhere; now and
      // then a large one, to take several frames at once.
      const uint64_t draw = piece_sizes->next();
      piece = draw % 8 == 0 ? draw % 2048 : draw % 9;
    }
    piece = std::min(piece, stream.size());
    Status status = decoder.feed(stream.substr(0, piece), run.frames);
    stream.remove_prefix(piece);
    run.violation = check_buffer_bounds(decoder, options);
    if (!run.violation.empty()) return run;
    if (!status.is_ok()) break;
  }
  run.status = decoder.finish();

  if (decoder.failed()) {
    // Errors are final: more bytes, even a valid frame, decode nothing.
    const size_t frames_before = run.frames.size();
    Envelope valid;
    valid.set_protocol_version(options.accepted_versions.min);
    valid.set_kind(proto::MESSAGE_KIND_HELLO);
    Result<std::string> frame = proto::encode_frame(valid);
    if (!frame.is_ok()) {
      run.violation = "could not encode a valid frame: " +
                      frame.status().to_string();
      return run;
    }
    Status again = decoder.feed(*frame, run.frames);
    if (again.code() != run.status.code() ||
        again.message() != run.status.message() ||
        run.frames.size() != frames_before) {
      run.violation = "a failed decoder accepted more bytes: " +
                      again.to_string() + " after " + run.status.to_string();
    }
  }
  return run;
}

std::string check_error(const Status& status) {
  if (status.is_ok()) return {};
  const ErrorCode code = status.code();
  if (code != ErrorCode::kTooLarge && code != ErrorCode::kUnsupportedVersion &&
      code != ErrorCode::kInvalidArgument) {
    return "unexpected error code: " + status.to_string();
  }
  if (status.message().empty()) return "an error without a message";
  return {};
}

std::string check_frames(const std::vector<Envelope>& frames,
                         const FrameDecoderOptions& options) {
  std::string reencoded;
  for (const Envelope& frame : frames) {
    if (!options.accepted_versions.contains(frame.protocol_version())) {
      return fmt::format("decoded an envelope of version {}",
                         frame.protocol_version());
    }
    if (frame.kind() == proto::MESSAGE_KIND_UNSPECIFIED) {
      return "decoded an envelope without a kind";
    }
    // Re-encoding may grow an envelope slightly (a non-canonical varint on
    // the wire becomes canonical), so it gets the ceiling, not the limit.
    Status status =
        proto::append_frame(frame, proto::kFrameBytesMaxCeiling, reencoded);
    if (!status.is_ok()) {
      return "a decoded envelope does not re-encode: " + status.to_string();
    }
  }
  DecodeRun again = decode_in_pieces(
      reencoded,
      FrameDecoderOptions{.max_frame_bytes = proto::kFrameBytesMaxCeiling,
                          .accepted_versions = options.accepted_versions},
      nullptr);
  if (!again.violation.empty()) return again.violation;
  if (!again.status.is_ok()) {
    return "re-encoded frames do not decode: " + again.status.to_string();
  }
  if (again.frames.size() != frames.size()) {
    return fmt::format("{} frames re-encoded, {} decoded", frames.size(),
                       again.frames.size());
  }
  for (size_t i = 0; i < frames.size(); ++i) {
    if (again.frames[i].SerializeAsString() != frames[i].SerializeAsString()) {
      return fmt::format("frame {} changed when re-encoded", i + 1);
    }
  }
  return {};
}

}  // namespace

FrameDecoderCaseOutcome run_frame_decoder_case(
    std::span<const uint8_t> input) {
  FrameDecoderCaseOutcome outcome;
  if (input.empty()) return outcome;
  const FrameDecoderOptions options = options_from_selector(input[0]);
  const std::string_view stream(reinterpret_cast<const char*>(input.data()) + 1,
                                input.size() - 1);

  DecodeRun whole = decode_in_pieces(stream, options, nullptr);
  SplitMix64 piece_sizes(fnv1a(stream));
  DecodeRun pieces = decode_in_pieces(stream, options, &piece_sizes);
  outcome.frames_decoded = whole.frames.size();
  outcome.error_code = whole.status.code();

  for (const std::string& violation :
       {whole.violation, pieces.violation, check_error(whole.status)}) {
    if (!violation.empty()) {
      outcome.violation = violation;
      return outcome;
    }
  }
  if (whole.status.code() != pieces.status.code() ||
      whole.status.message() != pieces.status.message()) {
    outcome.violation = "fed whole: " + whole.status.to_string() +
                        "; fed in pieces: " + pieces.status.to_string();
    return outcome;
  }
  if (whole.frames.size() != pieces.frames.size()) {
    outcome.violation =
        fmt::format("fed whole: {} frames; fed in pieces: {} frames",
                    whole.frames.size(), pieces.frames.size());
    return outcome;
  }
  for (size_t i = 0; i < whole.frames.size(); ++i) {
    if (whole.frames[i].SerializeAsString() !=
        pieces.frames[i].SerializeAsString()) {
      outcome.violation = fmt::format(
          "frame {} differs between feeding whole and in pieces", i + 1);
      return outcome;
    }
  }
  outcome.violation = check_frames(whole.frames, options);
  return outcome;
}

}  // namespace quokka::fuzz
