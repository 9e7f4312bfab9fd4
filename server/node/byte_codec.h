#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace quokka::node {

// Little-endian fixed-width fields for the node's own records and commands.
inline void put_u8(std::string& out, uint8_t value) {
  out.push_back(static_cast<char>(value));
}

inline void put_u32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

inline void put_u64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

inline void put_bytes(std::string& out, std::string_view bytes) {
  put_u32(out, static_cast<uint32_t>(bytes.size()));
  out += bytes;
}

// Reads fields in order; every method returns false (and reads nothing) when
// too few bytes remain, so a decoder can check once at the end.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  bool u8(uint8_t& out) {
    if (data_.empty()) return false;
    out = static_cast<uint8_t>(data_[0]);
    data_.remove_prefix(1);
    return true;
  }
  bool u32(uint32_t& out) { return fixed(out, 4); }
  bool u64(uint64_t& out) { return fixed(out, 8); }
  bool raw(size_t size, std::string_view& out) {
    if (data_.size() < size) return false;
    out = data_.substr(0, size);
    data_.remove_prefix(size);
    return true;
  }
  // A length-prefixed byte string (put_bytes).
  bool bytes(std::string_view& out) {
    uint32_t size = 0;
    return u32(size) && raw(size, out);
  }
  size_t remaining() const { return data_.size(); }

 private:
  template <typename T>
  bool fixed(T& out, int width) {
    if (data_.size() < static_cast<size_t>(width)) return false;
    out = 0;
    for (int i = 0; i < width; ++i) {
      out |= static_cast<T>(static_cast<uint8_t>(data_[i])) << (8 * i);
    }
    data_.remove_prefix(width);
    return true;
  }
  std::string_view data_;
};

}  // namespace quokka::node
