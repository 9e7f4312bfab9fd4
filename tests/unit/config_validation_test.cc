// Cross-field rules, checked by validate() after every source is applied.
// Their errors point at the line of the first field involved and name the
// origin of the other one.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config_loader.h"
#include "config/config_validation.h"

namespace quokka {
namespace {

std::string error_of(std::string_view text) {
  Result<NodeConfig> config = parse_config(text, "node1.toml");
  EXPECT_FALSE(config.is_ok()) << "accepted:\n" << text;
  if (config.is_ok()) return "";
  EXPECT_EQ(config.status().code(), ErrorCode::kInvalidArgument);
  return config.status().message();
}

// Three members on 127.0.0.1, ports 720N (peer) and 710N (client).
constexpr std::string_view kThreeMembers = R"(
[[cluster.members]]
id = 1
peer_address = "127.0.0.1:7201"
client_address = "127.0.0.1:7101"

[[cluster.members]]
id = 2
peer_address = "127.0.0.1:7202"
client_address = "127.0.0.1:7102"

[[cluster.members]]
id = 3
peer_address = "127.0.0.1:7203"
client_address = "127.0.0.1:7103"
)";

TEST(ConfigValidationTest, ThreeMembersIncludingOwnIdAreValid) {
  Result<NodeConfig> config = parse_config(std::string("[node]\nid = 1\n") + std::string(kThreeMembers), "node1.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->cluster.members.size(), 3u);
  EXPECT_EQ(config->cluster.members[2].peer_address.port, 7203);
}

TEST(ConfigValidationTest, DuplicateMemberIdNamesBothEntries) {
  std::string text = R"([[cluster.members]]
id = 1
peer_address = "127.0.0.1:7201"
client_address = "127.0.0.1:7101"

[[cluster.members]]
id = 1
peer_address = "127.0.0.1:7202"
client_address = "127.0.0.1:7102"
)";
  EXPECT_EQ(error_of(text),
            "node1.toml:7:1: cluster.members[1].id = 1 duplicates cluster.members[0].id "
            "(node1.toml:2:1); allowed a unique id per member");
}

TEST(ConfigValidationTest, DuplicateMemberAddressIsAnError) {
  std::string text = R"([[cluster.members]]
id = 1
peer_address = "127.0.0.1:7201"
client_address = "127.0.0.1:7101"

[[cluster.members]]
id = 2
peer_address = "127.0.0.1:7101"
client_address = "127.0.0.1:7102"
)";
  EXPECT_EQ(error_of(text),
            "node1.toml:8:1: cluster.members[1].peer_address = \"127.0.0.1:7101\" is already "
            "used by cluster.members[0].client_address (node1.toml:4:1); allowed an address no "
            "other member or port uses");
}

TEST(ConfigValidationTest, MissingOwnIdNamesTheIdAndTheMembers) {
  std::string text = std::string("[node]\nid = 4\n") + std::string(kThreeMembers);
  EXPECT_EQ(error_of(text),
            "node1.toml:2:1: node.id = 4 is not among cluster.members (node1.toml:4:11); "
            "allowed one of the member ids 1, 2, 3");
}

TEST(ConfigValidationTest, HeartbeatMustBeShorterThanElectionTimeout) {
  EXPECT_EQ(error_of("[raft]\nelection_timeout_ticks = 10\nheartbeat_ticks = 10\n"),
            "node1.toml:3:1: raft.heartbeat_ticks = 10 must be less than "
            "raft.election_timeout_ticks = 10 (node1.toml:2:1); allowed 1..9 ticks");
  // Against a default election timeout, the message says so.
  EXPECT_EQ(error_of("[raft]\nheartbeat_ticks = 12\n"),
            "node1.toml:2:1: raft.heartbeat_ticks = 12 must be less than "
            "raft.election_timeout_ticks = 10 (default); allowed 1..9 ticks");
}

TEST(ConfigValidationTest, ListenAddressMustMatchWhatMembersAdvertise) {
  std::string text =
      std::string("[node]\nid = 2\n[listen]\npeer_address = \"127.0.0.1:7201\"\n"
                  "client_address = \"127.0.0.1:7102\"\nmetrics_address = \"127.0.0.1:7302\"\n") +
      std::string(kThreeMembers);
  EXPECT_EQ(error_of(text),
            "node1.toml:4:1: listen.peer_address = \"127.0.0.1:7201\" differs from this node's "
            "cluster.members[1].peer_address = \"127.0.0.1:7202\" (node1.toml:15:1); allowed "
            "\"127.0.0.1:7202\" or a wildcard host such as 0.0.0.0:7202");
}

TEST(ConfigValidationTest, WildcardListenAddressesAreAccepted) {
  std::string text = std::string("[node]\nid = 2\n[listen]\npeer_address = \"0.0.0.0:7202\"\n"
                                 "client_address = \"[::]:7102\"\n"
                                 "metrics_address = \"0.0.0.0:7302\"\n") +
                     std::string(kThreeMembers);
  Result<NodeConfig> config = parse_config(text, "node2.toml");
  EXPECT_TRUE(config.is_ok()) << config.status().to_string();
}

TEST(ConfigValidationTest, ListenersMayNotShareAPort) {
  EXPECT_EQ(error_of("[listen]\nmetrics_address = \"0.0.0.0:7101\"\n"),
            "node1.toml:2:1: listen.metrics_address = \"0.0.0.0:7101\" collides with "
            "listen.client_address = \"127.0.0.1:7101\" (default); allowed a different port "
            "for each listener");
}

TEST(ConfigValidationTest, FrameMustHoldTheLargestValueAndRangePage) {
  EXPECT_EQ(error_of("[limits]\nvalue_bytes_max = 1048576\nrange_bytes_max = 65536\n"
                     "frame_bytes_max = 1048576\n[raft]\nappend_bytes_max = 65536\n"),
            "node1.toml:4:1: limits.frame_bytes_max = 1048576 cannot carry a value of "
            "limits.value_bytes_max = 1048576 (node1.toml:2:1) plus 65536 bytes of framing; "
            "allowed at least 1114112 bytes, or leave it unset");
  EXPECT_EQ(error_of("[limits]\nframe_bytes_max = 2000000\nvalue_bytes_max = 1000\n"),
            "node1.toml:2:1: limits.frame_bytes_max = 2000000 cannot carry a range page of "
            "limits.range_bytes_max = 4194304 (default) plus 65536 bytes of framing; "
            "allowed at least 4259840 bytes, or leave it unset");
}

TEST(ConfigValidationTest, LoweringTheValueLimitAloneIsValid) {
  // The derived frame limit keeps room for the default 4 MiB range page.
  Result<NodeConfig> config = parse_config("[limits]\nvalue_bytes_max = 1048576\n", "n.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->limits.frame_bytes_max_effective(), 4194304u + 65536u);
}

TEST(ConfigValidationTest, LoweringTheValueLimitBelowTheDefaultInlineLimitIsValid) {
  // Left unset, the inline limit follows the value limit down; set, it is
  // held to it (see LimitsMustBeConsistent).
  Result<NodeConfig> config = parse_config("[limits]\nvalue_bytes_max = 1000\n", "n.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->limits.inline_value_bytes_max_effective(), 1000u);
  std::vector<std::string> overrides = {"limits.value_bytes_max=1000"};
  config = load_config(std::nullopt, overrides);
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->limits.inline_value_bytes_max_effective(), 1000u);
  EXPECT_EQ(error_of("[limits]\nvalue_bytes_max = 1000\ninline_value_bytes_max = 65536\n"),
            "node1.toml:3:1: limits.inline_value_bytes_max = 65536 is larger than "
            "limits.value_bytes_max = 1000 (node1.toml:2:1); allowed 0..1000 bytes");
}

TEST(ConfigValidationTest, RaisingTheValueLimitAloneKeepsTheFrameConsistent) {
  Result<NodeConfig> config = parse_config("[limits]\nvalue_bytes_max = 67108864\n", "n.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(config->limits.frame_bytes_max_effective(), 67108864u + 65536u);
}

TEST(ConfigValidationTest, TheWriteValueBudgetMustFitInAPeerQueue) {
  EXPECT_EQ(error_of("[queues]\nwrite_values_bytes_max = 134217728\n"),
            "node1.toml:2:1: queues.write_values_bytes_max = 134217728 is larger than "
            "queues.peer_outgoing_bytes_max = 67108864 (default); allowed 1048576..67108864 "
            "bytes");
  EXPECT_EQ(error_of("[queues]\npeer_outgoing_bytes_max = 16777216\n"),
            "node1.toml:2:1: queues.write_values_bytes_max = 33554432 is larger than "
            "queues.peer_outgoing_bytes_max = 16777216 (node1.toml:2:1); allowed "
            "1048576..16777216 bytes");
}

TEST(ConfigValidationTest, LimitsMustBeConsistent) {
  EXPECT_EQ(error_of("[limits]\nvalue_bytes_max = 1000\ninline_value_bytes_max = 2000\n"),
            "node1.toml:3:1: limits.inline_value_bytes_max = 2000 is larger than "
            "limits.value_bytes_max = 1000 (node1.toml:2:1); allowed 0..1000 bytes");
  EXPECT_EQ(error_of("[limits]\nrequest_deadline_ms_default = 70000\n"),
            "node1.toml:2:1: limits.request_deadline_ms_default = 70000 is larger than "
            "limits.request_deadline_ms_max = 60000 (default); allowed 1..60000 ms");
  // The rule's first field is a default, so the line is the other one's.
  EXPECT_EQ(error_of("[raft]\nappend_bytes_max = 1024\n"),
            "node1.toml:2:1: limits.inline_value_bytes_max = 65536 is larger than one "
            "AppendEntries message, raft.append_bytes_max = 1024 (node1.toml:2:1); allowed "
            "0..1024 bytes");
  EXPECT_EQ(error_of("[limits]\nframe_bytes_max = 16842752\n[raft]\nappend_bytes_max = 16842752\n"),
            "node1.toml:4:1: raft.append_bytes_max = 16842752 does not fit in a frame of "
            "limits.frame_bytes_max = 16842752 (node1.toml:2:1) with 65536 bytes of framing; "
            "allowed 1024..16777216 bytes");
}

TEST(ConfigValidationTest, ValidateReportsEveryBrokenRule) {
  NodeConfig config;
  config.node.id = NodeId(9);
  config.raft.heartbeat_ticks = 50;
  Status status = validate(config);
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  // Set in code, so there is no origin to name.
  EXPECT_EQ(status.message(),
            "node.id = 9 is not among cluster.members (default); allowed one of the member ids 1\n"
            "raft.heartbeat_ticks = 50 must be less than raft.election_timeout_ticks = 10 "
            "(default); allowed 1..9 ticks");
}

}  // namespace
}  // namespace quokka
