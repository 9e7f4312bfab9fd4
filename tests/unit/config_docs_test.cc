// The reference page and the examples are how operators learn the knobs;
// these tests keep them from falling behind the code.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/config_render.h"

namespace quokka {
namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(QUOKKA_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in.good()) << relative;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string_view leaf(std::string_view path) { return path.substr(path.rfind('.') + 1); }

TEST(ConfigDocsTest, ReferenceDescribesEveryField) {
  std::string reference = read_source_file("docs/configuration.md");
  std::vector<std::string_view> paths = config_field_paths();
  ASSERT_GT(paths.size(), 40u);
  for (std::string_view path : paths) {
    EXPECT_NE(reference.find("`" + std::string(path) + "`"), std::string::npos)
        << path << " is not in docs/configuration.md";
  }
}

TEST(ConfigDocsTest, EveryExampleShowsEveryField) {
  for (const char* example : {"config/examples/node1.toml", "config/examples/node2.toml",
                              "config/examples/node3.toml"}) {
    std::string text = read_source_file(example);
    for (std::string_view path : config_field_paths()) {
      // A field appears as "key = " (set, or commented out when the
      // default is derived), or as the [[cluster.members]] header.
      bool shown = path == "cluster.members"
                       ? text.find("[[cluster.members]]") != std::string::npos
                       : text.find("\n" + std::string(leaf(path)) + " = ") != std::string::npos ||
                             text.find("# " + std::string(leaf(path)) + " = ") !=
                                 std::string::npos;
      EXPECT_TRUE(shown) << path << " is not shown in " << example;
    }
  }
}

}  // namespace
}  // namespace quokka
