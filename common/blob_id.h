#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace quokka {

// The identity of an immutable value: the SHA-256 of its bytes.
class BlobId {
 public:
  static constexpr size_t kSize = 32;

  BlobId() = default;
  explicit BlobId(const std::array<uint8_t, kSize>& digest) : digest_(digest) {}

  // The SHA-256 of `bytes` (OpenSSL EVP).
  static BlobId of(std::string_view bytes);
  // Parses exactly 32 raw bytes (as stored on disk and sent on the wire).
  static std::optional<BlobId> from_bytes(std::string_view raw);
  // Parses 64 lowercase or uppercase hex digits.
  static std::optional<BlobId> from_hex(std::string_view hex);

  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(digest_.data()), digest_.size()};
  }
  std::string hex() const;
  // The first 12 hex digits, for log lines and messages.
  std::string short_hex() const { return hex().substr(0, 12); }

  auto operator<=>(const BlobId&) const = default;

  friend std::ostream& operator<<(std::ostream& out, const BlobId& id) {
    return out << id.hex();
  }

 private:
  std::array<uint8_t, kSize> digest_{};
};

}  // namespace quokka

template <>
struct std::hash<quokka::BlobId> {
  size_t operator()(const quokka::BlobId& id) const noexcept {
    // The digest is uniformly distributed, so its first word is a good hash.
    size_t h = 0;
    for (size_t i = 0; i < sizeof(h); ++i) {
      h = (h << 8) | static_cast<uint8_t>(id.bytes()[i]);
    }
    return h;
  }
};
