// quokkad runs on tcmalloc (README, Dependencies; bench/NOTES.md §20): the
// allocator its write path was measured with. A build that silently fell
// back to glibc's malloc would cost every small write about a tenth more
// CPU, and nothing else would show it.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/process_cluster.h"

namespace quokka::integration {
namespace {

std::string mapped_files(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::ostringstream text;
  text << maps.rdbuf();
  return text.str();
}

TEST(AllocatorTest, EveryNodeRunsOnTcmalloc) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  for (uint64_t id = 1; id <= 3; ++id) {
    const std::string maps = mapped_files(cluster.pid(NodeId(id)));
    ASSERT_FALSE(maps.empty()) << "node " << id << ": /proc maps unreadable";
    EXPECT_NE(maps.find("libtcmalloc"), std::string::npos)
        << "node " << id << " does not map tcmalloc";
  }
}

}  // namespace
}  // namespace quokka::integration
