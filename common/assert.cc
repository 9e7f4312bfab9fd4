#include "common/assert.h"

#include <cstdio>
#include <cstdlib>

namespace quokka::detail {

void assertion_failed(const char* condition, const char* file, int line,
                      const std::string& message) {
  // stderr directly: the logger itself may be what is broken.
  std::fprintf(stderr, "quokka: assertion failed at %s:%d: %s: %s\n", file,
               line, condition, message.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace quokka::detail
