#pragma once

#include <google/protobuf/io/coded_stream.h>

#include <cstdint>
#include <string>

namespace quokka::proto {

// Appends the key and length of a length-delimited (bytes) field, the bytes
// protobuf writes just before such a field's contents. Lets an encoder put
// a large last field into a message by hand, into room of its own, instead
// of through a serializer that zero-fills the whole message first.
inline void append_length_delimited_key(uint32_t field_number, uint64_t length,
                                        std::string& out) {
  constexpr uint32_t kLengthDelimitedWireType = 2;
  uint8_t bytes[2 * 10];
  uint8_t* end = google::protobuf::io::CodedOutputStream::WriteVarint32ToArray(
      (field_number << 3) | kLengthDelimitedWireType, bytes);
  end = google::protobuf::io::CodedOutputStream::WriteVarint64ToArray(length, end);
  out.append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(end - bytes));
}

}  // namespace quokka::proto
