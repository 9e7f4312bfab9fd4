#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "proto/envelope.pb.h"
#include "proto/frame_format.h"
#include "proto/protocol_version.h"

namespace quokka::proto {

// Appends one frame holding `envelope` to `out` (a connection's write
// buffer). The frame's version field is envelope.protocol_version().
//
// Refuses, leaving `out` unchanged:
//   TOO_LARGE         the frame would exceed max_frame_bytes (counted as
//                     frame_length counts: version field + envelope), so
//                     the receiver would refuse it anyway;
//   INVALID_ARGUMENT  protocol_version is 0 or does not fit the 2-byte
//                     field, or the envelope has no message kind.
Status append_frame(const Envelope& envelope, uint32_t max_frame_bytes,
                    std::string& out);

// The same, as a string of its own.
Result<std::string> encode_frame(
    const Envelope& envelope, uint32_t max_frame_bytes = kFrameBytesMaxDefault);

// One frame in two pieces whose concatenation is the frame append_frame
// writes: everything up to the payload's bytes, and the payload itself,
// taken out of the envelope rather than copied. A socket hands both to the
// kernel in one gathered write, so a megabyte value is not copied into a
// frame buffer on its way out.
struct SplitFrame {
  std::string head;
  std::string payload;

  size_t size() const { return head.size() + payload.size(); }
};

// Builds the split frame of `envelope`, with append_frame's checks and
// errors. On success the envelope's payload has moved into the result; on
// an error the envelope is unchanged, so the caller may still send it
// another way or report it.
Result<SplitFrame> split_frame(Envelope& envelope, uint32_t max_frame_bytes);

}  // namespace quokka::proto
