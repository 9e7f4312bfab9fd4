// Each kind of mistake in a config file gives an INVALID_ARGUMENT error that
// names the file, line and column, the field's dotted path, the bad value and
// what is allowed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config_loader.h"

namespace quokka {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The error message of parsing `text` as node1.toml; fails the test when the
// text is accepted.
std::string error_of(std::string_view text) {
  Result<NodeConfig> config = parse_config(text, "node1.toml");
  EXPECT_FALSE(config.is_ok()) << "accepted:\n" << text;
  if (config.is_ok()) return "";
  EXPECT_EQ(config.status().code(), ErrorCode::kInvalidArgument);
  return config.status().message();
}

std::string testdata(std::string_view name) {
  return std::string(QUOKKA_SOURCE_DIR) + "/tests/unit/testdata/config/" + std::string(name);
}

TEST(ConfigParseErrorsTest, OutOfRangeNamesPlaceFieldValueAndRange) {
  EXPECT_EQ(error_of("[node]\nid = 1\n\n[limits]\nvalue_bytes_max = 0\n"),
            "node1.toml:5:1: limits.value_bytes_max = 0 is out of range; "
            "allowed 1..1073741824 bytes");
  EXPECT_EQ(error_of("[queues]\n  proposals_max = -5\n"),
            "node1.toml:2:3: queues.proposals_max = -5 is out of range; allowed 1..1048576");
  EXPECT_EQ(error_of("[node]\nid = 0\n"),
            "node1.toml:2:1: node.id = 0 is out of range; allowed 1..9223372036854775807");
}

TEST(ConfigParseErrorsTest, DottedKeysAreReportedWithTheirFullPath) {
  // The column is the leaf key's.
  EXPECT_EQ(error_of("raft.tick_ms = 0\n"),
            "node1.toml:1:6: raft.tick_ms = 0 is out of range; allowed 1..60000 ms");
}

TEST(ConfigParseErrorsTest, WrongTypeSaysWhatWasExpectedAndWhatCame) {
  EXPECT_EQ(error_of("[node]\nid = \"one\"\n"),
            "node1.toml:2:1: node.id = \"one\" has the wrong type; expected an integer, "
            "got a string");
  EXPECT_EQ(error_of("[storage]\nsync = \"yes\"\n"),
            "node1.toml:2:1: storage.sync = \"yes\" has the wrong type; expected a boolean "
            "(true or false), got a string");
  EXPECT_EQ(error_of("[limits]\nkey_bytes_max = 4.5\n"),
            "node1.toml:2:1: limits.key_bytes_max = 4.5 has the wrong type; expected an "
            "integer, got a floating-point number");
  EXPECT_EQ(error_of("[node]\ncluster_id = 7\n"),
            "node1.toml:2:1: node.cluster_id = 7 has the wrong type; expected a string, "
            "got an integer");
  EXPECT_EQ(error_of("limits = 5\n"),
            "node1.toml:1:1: limits = 5 has the wrong type; expected a table ([limits]), "
            "got an integer");
}

TEST(ConfigParseErrorsTest, UnknownKeySuggestsTheNearestKnownKey) {
  EXPECT_EQ(error_of("[limits]\nvalue_byte_max = 5\n"),
            "node1.toml:2:1: limits.value_byte_max is not a known setting; "
            "did you mean limits.value_bytes_max?");
  // The right key in the wrong section.
  EXPECT_EQ(error_of("[raft]\nvalue_bytes_max = 5\n"),
            "node1.toml:2:1: raft.value_bytes_max is not a known setting; "
            "did you mean limits.value_bytes_max?");
  EXPECT_EQ(error_of("[limts]\nvalue_bytes_max = 5\n"),
            "node1.toml:1:2: limts is not a known setting; did you mean limits?");
}

TEST(ConfigParseErrorsTest, UnknownKeyWithoutNearMatchListsTheAllowedKeys) {
  std::string message = error_of("[log]\nfrobnicate = true\n");
  EXPECT_THAT(message, StartsWith("node1.toml:2:1: log.frobnicate is not a known setting; "
                                  "allowed keys in [log] are level, format"));
  EXPECT_THAT(error_of("colour = \"blue\"\n"),
              HasSubstr("colour is not a known setting; allowed sections are node, listen"));
}

TEST(ConfigParseErrorsTest, UnknownKeyInAMemberIsReported) {
  EXPECT_EQ(error_of("[[cluster.members]]\nid = 1\npeer_addr = \"127.0.0.1:7201\"\n"
                     "client_address = \"127.0.0.1:7101\"\n"),
            "node1.toml:3:1: cluster.members[0].peer_addr is not a known setting; "
            "did you mean peer_address?\n"
            "node1.toml:1:1: cluster.members[0].peer_address is missing; every member needs "
            "id, peer_address, client_address");
}

TEST(ConfigParseErrorsTest, BadAddressSaysWhyAndWhatIsAllowed) {
  EXPECT_EQ(error_of("[listen]\nclient_address = \"127.0.0.1:99999\"\n"),
            "node1.toml:2:1: listen.client_address = \"127.0.0.1:99999\" is not a valid address "
            "(port 99999 is out of range 1..65535); allowed host:port with an IPv4 address, "
            "[IPv6] address or DNS name as host and port 1..65535");
  EXPECT_THAT(error_of("[listen]\npeer_address = \"300.1.1.1:7201\"\n"),
              StartsWith("node1.toml:2:1: listen.peer_address = \"300.1.1.1:7201\" is not a "
                         "valid address ('300.1.1.1' is not a valid IPv4 address); allowed "
                         "host:port"));
}

TEST(ConfigParseErrorsTest, MembersMayNotUseWildcardAddresses) {
  EXPECT_EQ(error_of("[[cluster.members]]\nid = 1\npeer_address = \"0.0.0.0:7201\"\n"
                     "client_address = \"127.0.0.1:7101\"\n"),
            "node1.toml:3:1: cluster.members[0].peer_address = \"0.0.0.0:7201\" is a wildcard "
            "address, which other nodes cannot dial; allowed a specific host:port, e.g. "
            "127.0.0.1:7201");
}

TEST(ConfigParseErrorsTest, MemberCountIsBounded) {
  EXPECT_EQ(error_of("[cluster]\nmembers = []\n"),
            "node1.toml:2:1: cluster.members = [] has 0 members; allowed 1..7 members");
  std::string eight = "[cluster]\nmembers = [";
  for (int i = 1; i <= 8; ++i) {
    eight += "{id = " + std::to_string(i) + ", peer_address = \"127.0.0.1:" +
             std::to_string(7200 + i) + "\", client_address = \"127.0.0.1:" +
             std::to_string(7100 + i) + "\"},";
  }
  eight += "]\n";
  EXPECT_THAT(error_of(eight), HasSubstr("has 8 members; allowed 1..7 members"));
}

TEST(ConfigParseErrorsTest, BadChoiceListsTheChoices) {
  EXPECT_EQ(error_of("[log]\nlevel = \"warning\"\n"),
            "node1.toml:2:1: log.level = \"warning\" is not one of the choices (did you mean "
            "\"warn\"?); allowed trace, debug, info, warn, error, critical");
  EXPECT_EQ(error_of("[log]\nformat = \"xml\"\n"),
            "node1.toml:2:1: log.format = \"xml\" is not one of the choices; allowed text, json");
}

TEST(ConfigParseErrorsTest, BadTextFieldsSayWhatIsAllowed) {
  EXPECT_EQ(error_of("[node]\ncluster_id = \"\"\n"),
            "node1.toml:2:1: node.cluster_id = \"\" is empty; allowed 1..64 characters of "
            "letters, digits, '.', '_' and '-'");
  EXPECT_EQ(error_of("[node]\ncluster_id = \"my cluster\"\n"),
            "node1.toml:2:1: node.cluster_id = \"my cluster\" contains ' '; allowed 1..64 "
            "characters of letters, digits, '.', '_' and '-'");
  EXPECT_EQ(error_of("[node]\ndata_dir = \"\"\n"),
            "node1.toml:2:1: node.data_dir = \"\" is empty; allowed a non-empty path");
}

TEST(ConfigParseErrorsTest, TomlSyntaxErrorNamesFileAndLine) {
  std::string message = error_of("[node]\nid = 1\nid = 2\n");
  EXPECT_THAT(message, StartsWith("node1.toml:3:6: TOML syntax error: "));
  EXPECT_THAT(message, HasSubstr("id"));
}

TEST(ConfigParseErrorsTest, EveryFieldErrorIsReportedNotJustTheFirst) {
  Result<NodeConfig> config = load_config_file(testdata("several_errors.toml"));
  ASSERT_FALSE(config.is_ok());
  std::string name = testdata("several_errors.toml");
  EXPECT_EQ(config.status().message(),
            name + ":2:1: node.id = \"one\" has the wrong type; expected an integer, got a "
                   "string\n" +
                name + ":5:1: raft.tick_ms = 0 is out of range; allowed 1..60000 ms\n" + name +
                ":8:1: log.level = \"verbose\" is not one of the choices; allowed trace, debug, "
                "info, warn, error, critical");
}

TEST(ConfigParseErrorsTest, FilesAreNamedByTheirPath) {
  std::string name = testdata("unknown_key.toml");
  Result<NodeConfig> config = load_config_file(name);
  ASSERT_FALSE(config.is_ok());
  EXPECT_EQ(config.status().message(),
            name + ":7:1: limits.value_byte_max is not a known setting; did you mean "
                   "limits.value_bytes_max?");

  name = testdata("syntax_error.toml");
  config = load_config_file(name);
  ASSERT_FALSE(config.is_ok());
  EXPECT_THAT(config.status().message(), StartsWith(name + ":3:"));
  EXPECT_THAT(config.status().message(), HasSubstr("TOML syntax error"));
}

TEST(ConfigParseErrorsTest, MissingFileIsAnError) {
  Result<NodeConfig> config = load_config_file(testdata("does_not_exist.toml"));
  ASSERT_FALSE(config.is_ok());
  EXPECT_EQ(config.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("does_not_exist.toml: cannot open config file"));
}

}  // namespace
}  // namespace quokka
