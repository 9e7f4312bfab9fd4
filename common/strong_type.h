#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace quokka {

// A distinct type around a plain value, so that a Term cannot be passed where
// a LogIndex is expected. Tag is an empty struct that names the concept.
template <typename Value, typename Tag>
class StrongType {
 public:
  using ValueType = Value;

  constexpr StrongType() = default;
  constexpr explicit StrongType(Value value) : value_(value) {}

  constexpr Value value() const { return value_; }

  constexpr auto operator<=>(const StrongType&) const = default;

  friend std::ostream& operator<<(std::ostream& out, const StrongType& v) {
    return out << v.value_;
  }

 private:
  Value value_{};
};

}  // namespace quokka

template <typename Value, typename Tag>
struct std::hash<quokka::StrongType<Value, Tag>> {
  size_t operator()(const quokka::StrongType<Value, Tag>& v) const noexcept {
    return std::hash<Value>{}(v.value());
  }
};
