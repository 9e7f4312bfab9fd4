// Command-line overrides: "section.field=value", checked like the file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config/config_override.h"
#include "config/config_validation.h"

namespace quokka {
namespace {

using ::testing::HasSubstr;

std::string example_path(int node) {
  return std::string(QUOKKA_SOURCE_DIR) + "/config/examples/node" + std::to_string(node) + ".toml";
}

// "<file>:<line>:1" of the first line of the example that starts with
// `prefix`, so the tests do not break when the example's comments change.
std::string example_place(int node, std::string_view prefix) {
  std::ifstream in(example_path(node));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.starts_with(prefix)) return example_path(node) + ":" + std::to_string(number) + ":1";
  }
  ADD_FAILURE() << prefix << " not found in " << example_path(node);
  return "";
}

std::string override_error(std::string_view assignment) {
  NodeConfig config;
  Status status = apply_override(config, assignment);
  EXPECT_FALSE(status.is_ok()) << "accepted: " << assignment;
  EXPECT_EQ(status.code(), status.is_ok() ? ErrorCode::kOk : ErrorCode::kInvalidArgument);
  EXPECT_EQ(config, NodeConfig{}) << "a rejected override changed the config";
  return status.message();
}

TEST(ConfigOverrideTest, SetsIntegersBooleansTextAndChoices) {
  NodeConfig config;
  ASSERT_TRUE(apply_override(config, "limits.value_bytes_max=1048576").is_ok());
  ASSERT_TRUE(apply_override(config, "storage.sync=false").is_ok());
  ASSERT_TRUE(apply_override(config, "node.data_dir=/var/lib/quokka").is_ok());
  ASSERT_TRUE(apply_override(config, "node.cluster_id=\"prod-eu\"").is_ok());
  ASSERT_TRUE(apply_override(config, "log.level=debug").is_ok());
  ASSERT_TRUE(apply_override(config, " listen.metrics_address = 0.0.0.0:9100 ").is_ok());
  ASSERT_TRUE(apply_override(config, "storage.space_quota_bytes=2_147_483_648").is_ok());
  EXPECT_EQ(config.limits.value_bytes_max, 1048576u);
  EXPECT_FALSE(config.storage.sync);
  EXPECT_EQ(config.node.data_dir, "/var/lib/quokka");
  EXPECT_EQ(config.node.cluster_id, "prod-eu");
  EXPECT_EQ(config.log.level, LogLevel::kDebug);
  EXPECT_EQ(config.listen.metrics_address, (HostPort{"0.0.0.0", 9100}));
  EXPECT_EQ(config.storage.space_quota_bytes, 2147483648u);
  EXPECT_EQ(config.origins.of("storage.sync"), "--set");
}

TEST(ConfigOverrideTest, ReplacesTheMemberList) {
  NodeConfig config;
  Status status = apply_override(
      config,
      "cluster.members=[{id=1, peer_address=\"127.0.0.1:7201\", client_address=\"127.0.0.1:7101\"},"
      " {id=2, peer_address=\"127.0.0.1:7202\", client_address=\"127.0.0.1:7102\"},"
      " {id=3, peer_address=\"127.0.0.1:7203\", client_address=\"127.0.0.1:7103\"}]");
  ASSERT_TRUE(status.is_ok()) << status.to_string();
  ASSERT_EQ(config.cluster.members.size(), 3u);
  EXPECT_EQ(config.cluster.members[1].id, NodeId(2));
  EXPECT_TRUE(validate(config).is_ok()) << validate(config).to_string();
}

TEST(ConfigOverrideTest, OutOfRangeHasTheFileErrorShape) {
  EXPECT_EQ(override_error("limits.value_bytes_max=0"),
            "--set: limits.value_bytes_max = 0 is out of range; allowed 1..1073741824 bytes");
  EXPECT_EQ(override_error("listen.client_address=localhost:0"),
            "--set: listen.client_address = \"localhost:0\" is not a valid address (port 0 is "
            "out of range 1..65535); allowed host:port with an IPv4 address, [IPv6] address or "
            "DNS name as host and port 1..65535");
}

TEST(ConfigOverrideTest, WrongTypeIsAnError) {
  EXPECT_EQ(override_error("node.id=\"two\""),
            "--set: node.id = \"two\" has the wrong type; expected an integer, got a string");
  EXPECT_THAT(override_error("storage.sync=no"),
              HasSubstr("--set: storage.sync = no is not a valid value ("));
  EXPECT_THAT(override_error("storage.sync=no"), HasSubstr("expected a boolean (true or false)"));
  EXPECT_EQ(override_error("log.format=yaml"),
            "--set: log.format = \"yaml\" is not one of the choices; allowed text, json");
}

TEST(ConfigOverrideTest, UnknownFieldsAndMalformedAssignmentsAreErrors) {
  EXPECT_EQ(override_error("limits.value_byte_max=5"),
            "--set: limits.value_byte_max is not a known setting; did you mean "
            "limits.value_bytes_max?");
  EXPECT_EQ(override_error("limits"),
            "--set: \"limits\" is not an assignment; expected section.field=value, e.g. "
            "limits.value_bytes_max=1048576");
  EXPECT_EQ(override_error("limits=5"),
            "--set: limits is a section; set one of its fields, e.g. limits.<field>=value");
  EXPECT_THAT(override_error("node.id=5\nlog.level = \"debug\""),
              HasSubstr("is not a single value"));
}

TEST(ConfigOverrideTest, CommonFlagsMapOntoOverrides) {
  // What the daemon's --node-id 2 --data-dir /tmp/q2 become.
  std::vector<std::string> overrides = {"node.id=2", "node.data_dir=/tmp/q2",
                                        "listen.client_address=127.0.0.1:7002",
                                        "listen.peer_address=127.0.0.1:7102",
                                        "listen.metrics_address=127.0.0.1:9102"};
  Result<NodeConfig> config = load_config(example_path(1), overrides);
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->node.id, NodeId(2));
  EXPECT_EQ(config->node.data_dir, "/tmp/q2");
}

TEST(ConfigOverrideTest, ExampleWithSmallerValueLimitIsValid) {
  std::vector<std::string> overrides = {"limits.value_bytes_max=1048576"};
  Result<NodeConfig> config = load_config(example_path(2), overrides);
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->limits.value_bytes_max, 1048576u);
}

TEST(ConfigOverrideTest, CrossFieldRulesRunAfterAllOverrides) {
  // Each override alone would break heartbeat < election timeout; together
  // they are consistent, so order does not matter.
  std::vector<std::string> overrides = {"raft.heartbeat_ticks=20", "raft.election_timeout_ticks=50"};
  Result<NodeConfig> config = load_config(std::nullopt, overrides);
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->raft.heartbeat_ticks, 20u);
}

TEST(ConfigOverrideTest, CrossFieldErrorsNameTheOverride) {
  std::vector<std::string> overrides = {"raft.heartbeat_ticks=20"};
  Result<NodeConfig> config = load_config(example_path(1), overrides);
  ASSERT_FALSE(config.is_ok());
  EXPECT_EQ(config.status().message(),
            "--set: raft.heartbeat_ticks = 20 must be less than raft.election_timeout_ticks = 10 "
            "(" + example_place(1, "election_timeout_ticks = ") + "); allowed 1..9 ticks");
}

TEST(ConfigOverrideTest, OverridesRepairAnInconsistentFile) {
  // node2 with node1's file: the listen addresses disagree with member 2
  // until they are overridden too.
  std::vector<std::string> overrides = {"node.id=2"};
  Result<NodeConfig> broken = load_config(example_path(1), overrides);
  ASSERT_FALSE(broken.is_ok());
  EXPECT_THAT(broken.status().message(),
              HasSubstr(example_place(1, "peer_address = ") + ": listen.peer_address = \"127.0.0.1:7101\" "
                        "differs from this node's cluster.members[1].peer_address"));
}

TEST(ConfigOverrideTest, EveryBadOverrideIsReported) {
  std::vector<std::string> overrides = {"node.id=0", "raft.tick_ms=x", "limits.bogus=1"};
  Result<NodeConfig> config = load_config(std::nullopt, overrides);
  ASSERT_FALSE(config.is_ok());
  EXPECT_EQ(config.status().code(), ErrorCode::kInvalidArgument);
  std::string message = config.status().message();
  EXPECT_THAT(message, HasSubstr("--set: node.id = 0 is out of range"));
  EXPECT_THAT(message, HasSubstr("--set: raft.tick_ms = x is not a valid value"));
  EXPECT_THAT(message, HasSubstr("--set: limits.bogus is not a known setting"));
}

}  // namespace
}  // namespace quokka
