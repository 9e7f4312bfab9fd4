#include "tests/support/temp_directory.h"

#include <stdlib.h>

#include <cstdlib>
#include <system_error>

#include "common/assert.h"

namespace quokka::testing {

TempDirectory::TempDirectory() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
      "/quokka-test-XXXXXX";
  char* made = mkdtemp(pattern.data());
  QUOKKA_ASSERT(made != nullptr, "mkdtemp({}) failed", pattern);
  path_ = made;
}

TempDirectory::~TempDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace quokka::testing
