#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "config/config_render.h"
#include "config/config_validation.h"

namespace quokka {
namespace {

TEST(ConfigDefaultsTest, DefaultConfigIsValid) {
  NodeConfig config;
  Status status = validate(config);
  EXPECT_TRUE(status.is_ok()) << status.to_string();
}

TEST(ConfigDefaultsTest, EmptyTextGivesTheDefaults) {
  Result<NodeConfig> config = parse_config("", "empty.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(*config, NodeConfig{});
}

TEST(ConfigDefaultsTest, DefaultsMatchTheDesignLimits) {
  NodeConfig config;
  EXPECT_EQ(config.limits.key_bytes_max, 4u * 1024);
  EXPECT_EQ(config.limits.value_bytes_max, 16u * 1024 * 1024);
  EXPECT_FALSE(config.limits.inline_value_bytes_max.has_value());
  EXPECT_EQ(config.limits.inline_value_bytes_max_effective(), 64u * 1024);
  EXPECT_EQ(config.limits.range_keys_max, 10000u);
  EXPECT_EQ(config.limits.range_bytes_max, 4u * 1024 * 1024);
  EXPECT_FALSE(config.limits.frame_bytes_max.has_value());
  EXPECT_EQ(config.limits.frame_bytes_max_effective(), 16u * 1024 * 1024 + 64 * 1024);
  EXPECT_TRUE(config.storage.sync);
  EXPECT_LT(config.raft.heartbeat_ticks, config.raft.election_timeout_ticks);
}

TEST(ConfigDefaultsTest, FrameLimitFollowsValueAndRangeLimitsUntilSet) {
  LimitsConfig limits;
  limits.value_bytes_max = 32 * 1024 * 1024;
  EXPECT_EQ(limits.frame_bytes_max_effective(), 32u * 1024 * 1024 + kFrameOverheadBytes);
  limits.value_bytes_max = 1024 * 1024;
  EXPECT_EQ(limits.frame_bytes_max_effective(), limits.range_bytes_max + kFrameOverheadBytes);
  limits.frame_bytes_max = 8 * 1024 * 1024;
  EXPECT_EQ(limits.frame_bytes_max_effective(), 8u * 1024 * 1024);
}

TEST(ConfigDefaultsTest, InlineLimitIsCappedAtTheValueLimitUntilSet) {
  LimitsConfig limits;
  limits.value_bytes_max = 1000;
  EXPECT_EQ(limits.inline_value_bytes_max_effective(), 1000u);
  limits.value_bytes_max = 1024 * 1024;
  EXPECT_EQ(limits.inline_value_bytes_max_effective(), kInlineValueBytesDefault);
  limits.inline_value_bytes_max = 0;
  EXPECT_EQ(limits.inline_value_bytes_max_effective(), 0u);
}

// The defaults are the thresholds deploy/prometheus/recording.rules.yml
// selects buckets by (and config/examples sets): changing one here without
// the rules would take the node out of the cluster Apdex.
TEST(ConfigDefaultsTest, ApdexThresholdsDefaultPerOperationAsTheRecordingRulesExpect) {
  MetricsConfig metrics;
  EXPECT_FALSE(metrics.apdex_threshold_ms.has_value());
  EXPECT_EQ(metrics.apdex_threshold_ms_for(ApdexOperation::kPut), 20u);
  EXPECT_EQ(metrics.apdex_threshold_ms_for(ApdexOperation::kDelete), 20u);
  EXPECT_EQ(metrics.apdex_threshold_ms_for(ApdexOperation::kCas), 20u);
  EXPECT_EQ(metrics.apdex_threshold_ms_for(ApdexOperation::kGet), 10u);
  EXPECT_EQ(metrics.apdex_threshold_ms_for(ApdexOperation::kRange), 50u);
}

TEST(ConfigDefaultsTest, ApdexThresholdsFallBackToTheCommonSettingThenTheDefault) {
  MetricsConfig metrics;
  metrics.apdex_get_threshold_ms = 5;
  EXPECT_EQ(metrics.apdex_threshold_ms_for(ApdexOperation::kGet), 5u);
  EXPECT_EQ(metrics.apdex_threshold_ms_for(ApdexOperation::kRange), 50u);
  metrics.apdex_threshold_ms = 30;
  EXPECT_EQ(metrics.apdex_threshold_ms_for(ApdexOperation::kGet), 5u);
  EXPECT_EQ(metrics.apdex_threshold_ms_for(ApdexOperation::kPut), 30u);
  EXPECT_EQ(metrics.apdex_threshold_ms_for(ApdexOperation::kRange), 30u);
}

TEST(ConfigDefaultsTest, RenderedDefaultsParseBackToTheDefaults) {
  std::string text = to_toml(NodeConfig{});
  Result<NodeConfig> config = parse_config(text, "rendered.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string() << "\n" << text;
  EXPECT_EQ(*config, NodeConfig{});
}

TEST(ConfigDefaultsTest, RenderedCustomConfigRoundTrips) {
  NodeConfig original;
  original.node.id = NodeId(2);
  original.node.data_dir = "/var/lib/quokka";
  original.cluster.members = {
      {NodeId(1), {"10.0.0.1", 7201}, {"10.0.0.1", 7101}},
      {NodeId(2), {"::1", 7202}, {"::1", 7102}},
      {NodeId(3), {"node3.example", 7203}, {"node3.example", 7103}},
  };
  original.listen.peer_address = {"0.0.0.0", 7202};
  original.listen.client_address = {"::", 7102};
  original.limits.frame_bytes_max = 32 * 1024 * 1024;
  original.metrics.apdex_cas_threshold_ms = 7;
  original.log.level = LogLevel::kDebug;
  original.log.format = LogFormat::kJson;
  original.storage.sync = false;
  ASSERT_TRUE(validate(original).is_ok()) << validate(original).to_string();

  std::string text = to_toml(original);
  Result<NodeConfig> config = parse_config(text, "rendered.toml");
  ASSERT_TRUE(config.is_ok()) << config.status().to_string() << "\n" << text;
  EXPECT_EQ(*config, original) << text;
}

}  // namespace
}  // namespace quokka
