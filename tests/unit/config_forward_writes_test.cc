// cluster.forward_writes and queues.forwarded_writes_max: defaults, reading,
// type and range errors, overrides, and rendering back.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config_loader.h"
#include "config/config_override.h"
#include "config/config_render.h"

namespace quokka {
namespace {

using ::testing::HasSubstr;

TEST(ConfigForwardWritesTest, FollowersForwardByDefaultWithABoundedQueue) {
  NodeConfig config;
  EXPECT_TRUE(config.cluster.forward_writes);
  EXPECT_EQ(config.queues.forwarded_writes_max, 1024u);
}

TEST(ConfigForwardWritesTest, FileTurnsForwardingOffAndSetsTheBound) {
  Result<NodeConfig> config = parse_config(
      "[cluster]\nforward_writes = false\n\n[queues]\nforwarded_writes_max = 7\n", "n.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_FALSE(config->cluster.forward_writes);
  EXPECT_EQ(config->queues.forwarded_writes_max, 7u);
  EXPECT_EQ(config->origins.of("cluster.forward_writes"), "n.toml:2:1");
}

TEST(ConfigForwardWritesTest, ForwardWritesBesideTheMemberList) {
  // [cluster] holds both the switch and the [[cluster.members]] blocks.
  Result<NodeConfig> config = parse_config(
      "[node]\nid = 2\n\n[cluster]\nforward_writes = false\n\n"
      "[[cluster.members]]\nid = 2\npeer_address = \"127.0.0.1:7201\"\n"
      "client_address = \"127.0.0.1:7101\"\n",
      "n.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_FALSE(config->cluster.forward_writes);
  ASSERT_EQ(config->cluster.members.size(), 1u);
  EXPECT_EQ(config->cluster.members[0].id, NodeId(2));
}

TEST(ConfigForwardWritesTest, WrongTypeAndOutOfRangeAreNamed) {
  Result<NodeConfig> wrong_type = parse_config("[cluster]\nforward_writes = \"yes\"\n", "n.toml");
  ASSERT_FALSE(wrong_type.is_ok());
  EXPECT_EQ(wrong_type.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(wrong_type.status().message(),
            "n.toml:2:1: cluster.forward_writes = \"yes\" has the wrong type; expected a "
            "boolean (true or false), got a string");

  Result<NodeConfig> zero = parse_config("[queues]\nforwarded_writes_max = 0\n", "n.toml");
  ASSERT_FALSE(zero.is_ok());
  EXPECT_EQ(zero.status().message(),
            "n.toml:2:1: queues.forwarded_writes_max = 0 is out of range; allowed 1..1048576");
}

TEST(ConfigForwardWritesTest, MisspeltKeyGetsAHint) {
  Result<NodeConfig> config = parse_config("[cluster]\nforward_write = false\n", "n.toml");
  ASSERT_FALSE(config.is_ok());
  EXPECT_THAT(config.status().message(), HasSubstr("did you mean cluster.forward_writes?"));
}

TEST(ConfigForwardWritesTest, OverrideAndRenderRoundTrip) {
  NodeConfig config;
  ASSERT_TRUE(apply_override(config, "cluster.forward_writes=false").is_ok());
  ASSERT_TRUE(apply_override(config, "queues.forwarded_writes_max=64").is_ok());
  EXPECT_FALSE(config.cluster.forward_writes);
  EXPECT_EQ(config.origins.of("cluster.forward_writes"), "--set");
  Status refused = apply_override(config, "cluster.forward_writes=maybe");
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(config.cluster.forward_writes) << "a refused override changes nothing";

  const std::string text = to_toml(config);
  EXPECT_THAT(text, HasSubstr("forward_writes = false"));
  Result<NodeConfig> reread = parse_config(text, "rendered.toml");
  ASSERT_TRUE(reread.is_ok()) << reread.status().to_string() << "\n" << text;
  EXPECT_FALSE(reread->cluster.forward_writes);
  EXPECT_EQ(reread->queues.forwarded_writes_max, 64u);
}

}  // namespace
}  // namespace quokka
