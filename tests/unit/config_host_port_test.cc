#include <gtest/gtest.h>

#include "config/host_port.h"

namespace quokka {
namespace {

TEST(HostPortTest, ParsesIpv4Ipv6AndNames) {
  Result<HostPort> v4 = parse_host_port("127.0.0.1:7101");
  ASSERT_TRUE(v4.is_ok()) << v4.status().to_string();
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 7101);

  Result<HostPort> v6 = parse_host_port("[::1]:65535");
  ASSERT_TRUE(v6.is_ok()) << v6.status().to_string();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 65535);
  EXPECT_EQ(v6->to_string(), "[::1]:65535");

  Result<HostPort> name = parse_host_port("node-1.example.com:1");
  ASSERT_TRUE(name.is_ok()) << name.status().to_string();
  EXPECT_EQ(name->host, "node-1.example.com");
  EXPECT_EQ(name->to_string(), "node-1.example.com:1");
}

TEST(HostPortTest, RecognizesWildcards) {
  EXPECT_TRUE(parse_host_port("0.0.0.0:1")->is_wildcard());
  EXPECT_TRUE(parse_host_port("[::]:1")->is_wildcard());
  EXPECT_FALSE(parse_host_port("127.0.0.1:1")->is_wildcard());
}

void expect_rejected(std::string_view text, std::string_view reason) {
  Result<HostPort> address = parse_host_port(text);
  ASSERT_FALSE(address.is_ok()) << text;
  EXPECT_EQ(address.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(address.status().message().find(reason), std::string::npos)
      << text << ": " << address.status().message();
}

TEST(HostPortTest, RejectsBadPorts) {
  expect_rejected("127.0.0.1:0", "port 0 is out of range 1..65535");
  expect_rejected("127.0.0.1:65536", "port 65536 is out of range 1..65535");
  expect_rejected("127.0.0.1:99999999999", "out of range");
  expect_rejected("127.0.0.1:", "port is missing");
  expect_rejected("127.0.0.1", "':port' is missing");
  expect_rejected("127.0.0.1:http", "port 'http' is not a number");
  expect_rejected("127.0.0.1:-1", "not a number");
  expect_rejected("127.0.0.1:80x", "not a number");
}

TEST(HostPortTest, RejectsBadHosts) {
  expect_rejected(":7101", "host is missing");
  expect_rejected("256.0.0.1:7101", "'256.0.0.1' is not a valid IPv4 address");
  expect_rejected("127.0.0:7101", "not a valid IPv4 address");
  expect_rejected("::1:7101", "must be in brackets");
  expect_rejected("[::g]:7101", "'::g' is not a valid IPv6 address");
  expect_rejected("[::1:7101", "without a closing");
  expect_rejected("[::1]7101", "':port' is missing");
  expect_rejected("bad_host:7101", "contains '_'");
  expect_rejected("-node:7101", "starts or ends with '-'");
  expect_rejected("node..example:7101", "empty label");
  expect_rejected(std::string(64, 'a') + ":1", "longer than 63");
}

}  // namespace
}  // namespace quokka
