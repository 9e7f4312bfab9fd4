#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config_loader.h"

namespace quokka {
namespace {

std::string example_path(int node) {
  return std::string(QUOKKA_SOURCE_DIR) + "/config/examples/node" + std::to_string(node) + ".toml";
}

std::vector<NodeConfig> load_examples() {
  std::vector<NodeConfig> configs;
  for (int node = 1; node <= 3; ++node) {
    Result<NodeConfig> config = load_config_file(example_path(node));
    EXPECT_TRUE(config.is_ok()) << config.status().to_string();
    if (config.is_ok()) configs.push_back(std::move(config).value());
  }
  return configs;
}

TEST(ConfigExamplesTest, EveryExampleParsesAndValidates) {
  std::vector<NodeConfig> configs = load_examples();
  ASSERT_EQ(configs.size(), 3u);
  for (size_t i = 0; i < configs.size(); ++i) {
    EXPECT_EQ(configs[i].node.id, NodeId(i + 1));
    EXPECT_EQ(configs[i].cluster.members.size(), 3u);
    EXPECT_TRUE(configs[i].storage.sync);
  }
}

TEST(ConfigExamplesTest, ExamplesAgreeOnClusterAndMembers) {
  std::vector<NodeConfig> configs = load_examples();
  ASSERT_EQ(configs.size(), 3u);
  for (const NodeConfig& config : configs) {
    EXPECT_EQ(config.node.cluster_id, configs[0].node.cluster_id);
    EXPECT_EQ(config.cluster, configs[0].cluster);
  }
}

TEST(ConfigExamplesTest, ExamplesDoNotShareDataDirsOrPorts) {
  std::vector<NodeConfig> configs = load_examples();
  ASSERT_EQ(configs.size(), 3u);
  for (size_t i = 0; i < configs.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      EXPECT_NE(configs[i].node.data_dir, configs[j].node.data_dir);
      for (const HostPort* a : {&configs[i].listen.client_address, &configs[i].listen.peer_address,
                                &configs[i].listen.metrics_address}) {
        for (const HostPort* b :
             {&configs[j].listen.client_address, &configs[j].listen.peer_address,
              &configs[j].listen.metrics_address}) {
          EXPECT_NE(a->port, b->port) << "node " << i + 1 << " and node " << j + 1;
        }
      }
    }
  }
}

TEST(ConfigExamplesTest, EachNodeListensWhereTheOthersDialIt) {
  std::vector<NodeConfig> configs = load_examples();
  ASSERT_EQ(configs.size(), 3u);
  for (const NodeConfig& config : configs) {
    bool found = false;
    for (const ClusterMember& member : config.cluster.members) {
      if (member.id != config.node.id) continue;
      found = true;
      EXPECT_EQ(member.peer_address, config.listen.peer_address);
      EXPECT_EQ(member.client_address, config.listen.client_address);
    }
    EXPECT_TRUE(found) << "node " << config.node.id;
  }
}

}  // namespace
}  // namespace quokka
