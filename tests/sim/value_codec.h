#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace quokka::sim {

// Values the workloads write are self-describing: a short token naming the
// write, then filler derived from the token up to the chosen size. The
// history keeps only "token#size", so large values cost no memory there,
// and a value read back is checked byte for byte against its token: a
// value that is some other value's bytes, truncated or mixed is caught.
std::string encode_value(std::string_view token, uint64_t size);

// "token#size" for a well-formed value, nullopt for bytes no workload wrote.
std::optional<std::string> value_label(std::string_view value);

// The label encode_value(token, size) has.
std::string label_of(std::string_view token, uint64_t size);

}  // namespace quokka::sim
