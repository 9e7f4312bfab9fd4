#pragma once

#include <fmt/format.h>

#include <string>

namespace quokka::detail {

[[noreturn]] void assertion_failed(const char* condition, const char* file,
                                   int line, const std::string& message);

}  // namespace quokka::detail

// An always-on check for a broken invariant (a programmer error, never an
// operating error): it logs the condition, place and message, then aborts.
// Keep conditions simple; split compound ones so the failing part is named.
#define QUOKKA_ASSERT(condition, ...)                                  \
  do {                                                                 \
    if (!(condition)) [[unlikely]] {                                   \
      ::quokka::detail::assertion_failed(#condition, __FILE__, __LINE__, \
                                         ::fmt::format(__VA_ARGS__));  \
    }                                                                  \
  } while (false)
