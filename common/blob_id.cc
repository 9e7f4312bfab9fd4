#include "common/blob_id.h"

#include <openssl/evp.h>

#include "common/assert.h"

namespace quokka {

BlobId BlobId::of(std::string_view bytes) {
  std::array<uint8_t, kSize> digest{};
  unsigned int length = 0;
  // EVP_Digest is the one-shot form; it fails only on allocation failure.
  int ok = EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length,
                      EVP_sha256(), nullptr);
  QUOKKA_ASSERT(ok == 1, "EVP_Digest(SHA-256) failed");
  QUOKKA_ASSERT(length == kSize, "SHA-256 digest has {} bytes", length);
  return BlobId(digest);
}

std::optional<BlobId> BlobId::from_bytes(std::string_view raw) {
  if (raw.size() != kSize) return std::nullopt;
  std::array<uint8_t, kSize> digest{};
  for (size_t i = 0; i < kSize; ++i) digest[i] = static_cast<uint8_t>(raw[i]);
  return BlobId(digest);
}

namespace {
int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<BlobId> BlobId::from_hex(std::string_view hex) {
  if (hex.size() != 2 * kSize) return std::nullopt;
  std::array<uint8_t, kSize> digest{};
  for (size_t i = 0; i < kSize; ++i) {
    int high = hex_digit_value(hex[2 * i]);
    int low = hex_digit_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<uint8_t>(high * 16 + low);
  }
  return BlobId(digest);
}

std::string BlobId::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(2 * kSize, '0');
  for (size_t i = 0; i < kSize; ++i) {
    text[2 * i] = kDigits[digest_[i] >> 4];
    text[2 * i + 1] = kDigits[digest_[i] & 0xf];
  }
  return text;
}

}  // namespace quokka
