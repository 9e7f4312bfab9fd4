// What a node does with callers that do not follow the protocol: a wrong
// protocol version, garbage bytes, connections that never send anything,
// and a client that sends requests but never reads the answers. Each is
// refused or cut off, the node keeps running, and other clients do not
// notice.
#include <algorithm>
#include <iostream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "client/client.h"
#include "proto/client.pb.h"
#include "proto/errors.pb.h"
#include "proto/frame_format.h"
#include "proto/protocol_version.h"
#include "tests/integration/client_result_assertions.h"
#include "tests/integration/process_cluster.h"
#include "tests/integration/raw_connection.h"

namespace quokka::integration {
namespace {

using namespace std::chrono_literals;

constexpr auto kCloseBound = 5s;

// A put and a linearizable get through `node` only, each within `bound`.
void expect_node_serves(ProcessCluster& cluster, NodeId node, const std::string& key,
                        std::chrono::milliseconds bound = 3000ms) {
  std::unique_ptr<client::Client> client = cluster.make_client({node});
  const auto started = std::chrono::steady_clock::now();
  auto put = client->put(key, "still serving");
  QUOKKA_ASSERT_OK(put);
  auto get = client->get(key);
  QUOKKA_ASSERT_OK(get);
  ASSERT_TRUE(get->kv.has_value());
  EXPECT_EQ(get->kv->value, "still serving");
  EXPECT_LE(std::chrono::steady_clock::now() - started, bound) << "through node " << node;
}

std::string frame_header(uint32_t length, uint16_t version) {
  std::string header(proto::kFrameHeaderBytes, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(header.data());
  proto::write_u32_big_endian(length, bytes);
  proto::write_u16_big_endian(version, bytes + proto::kFrameLengthFieldBytes);
  return header;
}

TEST(ConnectionAbuseTest, WrongProtocolVersionIsRefusedNamingTheSupportedRange) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  ASSERT_TRUE(cluster.wait_for_leader(15s).has_value()) << cluster.last_status_report();

  for (NodeId node : cluster.node_ids()) {
    SCOPED_TRACE("node " + std::to_string(node.value()));
    std::unique_ptr<RawConnection> connection =
        RawConnection::connect(cluster.client_endpoint(node), 2s);
    ASSERT_TRUE(connection);
    std::optional<proto::HelloReply> reply = connection->hello(9, 9, 42, 5s);
    ASSERT_TRUE(reply.has_value()) << connection->last_error();
    ASSERT_TRUE(reply->has_error()) << "a client speaking only version 9 was accepted";
    EXPECT_EQ(reply->error().code(), proto::UNSUPPORTED_VERSION)
        << proto::ErrorCode_Name(reply->error().code()) << ": " << reply->error().message();
    EXPECT_EQ(reply->chosen_version(), 0u);
    EXPECT_EQ(reply->error().supported_versions().min_version(), proto::kProtocolVersionMin);
    EXPECT_EQ(reply->error().supported_versions().max_version(), proto::kProtocolVersionMax);
    EXPECT_EQ(reply->min_version(), proto::kProtocolVersionMin);
    EXPECT_EQ(reply->max_version(), proto::kProtocolVersionMax);
    const std::string& message = reply->error().message();
    EXPECT_NE(message.find(proto::kSupportedProtocolVersions.to_string()), std::string::npos)
        << "the message should name the supported versions: " << message;
    EXPECT_NE(message.find("9"), std::string::npos)
        << "the message should name the caller's versions: " << message;
    EXPECT_TRUE(connection->wait_closed(kCloseBound))
        << "the node kept the refused connection open";
    expect_node_serves(cluster, node, "after-version-refusal");
  }
}

TEST(ConnectionAbuseTest, GarbageBytesCloseTheConnectionWithoutHarmingTheNode) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  ASSERT_TRUE(cluster.wait_for_leader(15s).has_value()) << cluster.last_status_report();

  std::mt19937 random(20240521);
  std::string noise(4096, '\0');
  for (char& byte : noise) byte = static_cast<char>(random() & 0xff);
  struct Garbage {
    std::string name;
    std::string bytes;
    bool after_hello;
  };
  const std::vector<Garbage> garbage = {
      {"an HTTP request", "GET /metrics HTTP/1.1\r\nHost: quokka\r\n\r\n", false},
      {"4 KiB of random bytes", noise, false},
      {"a zero-length frame", frame_header(0, 1), false},
      {"a frame whose body is not an envelope", frame_header(10, 1) + noise.substr(0, 8), false},
      {"a frame larger than any limit", frame_header(0xfffffff0, 1) + "xx", false},
      {"random bytes after a good Hello", noise, true},
      {"a frame of another version after the Hello", frame_header(8, 7) + "abcdefgh", true},
  };
  for (NodeId node : cluster.node_ids()) {
    for (const Garbage& item : garbage) {
      SCOPED_TRACE("node " + std::to_string(node.value()) + ": " + item.name);
      std::unique_ptr<RawConnection> connection =
          RawConnection::connect(cluster.client_endpoint(node), 2s);
      ASSERT_TRUE(connection);
      if (item.after_hello) {
        std::optional<proto::HelloReply> reply = connection->hello(1, 1, 43, 5s);
        ASSERT_TRUE(reply.has_value()) << connection->last_error();
        ASSERT_FALSE(reply->has_error()) << reply->error().message();
      }
      // The node may close while the bytes are still going out; that is
      // what is expected, so the send's own result does not matter.
      connection->send_bytes(item.bytes, 2s);
      EXPECT_TRUE(connection->wait_closed(kCloseBound)) << "the connection stayed open";
    }
    ASSERT_TRUE(cluster.running(node)) << "node " << node << " died of garbage";
    expect_node_serves(cluster, node, "after-garbage");
  }
}

TEST(ConnectionAbuseTest, HalfOpenConnectionsDoNotBlockOtherClients) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();

  std::vector<std::unique_ptr<RawConnection>> idle;
  for (NodeId node : cluster.node_ids()) {
    for (int i = 0; i < 30; ++i) {
      std::unique_ptr<RawConnection> silent =
          RawConnection::connect(cluster.client_endpoint(node), 2s);
      ASSERT_TRUE(silent);
      // A third send nothing, a third part of a frame header, a third a
      // header announcing a Hello whose body never comes.
      if (i % 3 == 1) {
        ASSERT_TRUE(silent->send_bytes(frame_header(64, 1).substr(0, 3), 1s));
      } else if (i % 3 == 2) {
        ASSERT_TRUE(silent->send_bytes(frame_header(64, 1) + "\x08", 1s));
      }
      idle.push_back(std::move(silent));
    }
  }
  std::unique_ptr<client::Client> client = cluster.make_client();
  std::chrono::steady_clock::duration slowest{};
  for (int i = 0; i < 20; ++i) {
    const auto started = std::chrono::steady_clock::now();
    auto put = client->put("busy/" + std::to_string(i), "v");
    QUOKKA_ASSERT_OK(put);
    auto get = client->get("busy/" + std::to_string(i));
    QUOKKA_ASSERT_OK(get);
    slowest = std::max(slowest, std::chrono::steady_clock::now() - started);
  }
  EXPECT_LE(slowest, 1s) << "a put and a get took "
                         << std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count()
                         << " ms beside the half-open connections";
  for (NodeId node : cluster.node_ids()) expect_node_serves(cluster, node, "beside-idle");
  // The idle connections are still there; the nodes neither crashed nor
  // needed them gone.
  for (NodeId node : cluster.node_ids()) EXPECT_TRUE(cluster.running(node));
}

TEST(ConnectionAbuseTest, ClientThatNeverReadsIsCutOffWhileOthersAreServed) {
  // Small frames (1 MiB values, 1 MiB range pages), so a node's bound on
  // unread answers (four frames) is reached with a few megabytes.
  ProcessCluster cluster({.settings = {"limits.value_bytes_max=1048576",
                                       "limits.range_bytes_max=1048576"}});
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  const NodeId node = leader->id;

  std::unique_ptr<client::Client> client = cluster.make_client();
  const std::string big(1000000, 'b');
  auto stored = client->put("big", big);
  QUOKKA_ASSERT_OK(stored);

  // A small receive window, so the kernel does not soak up the answers.
  std::unique_ptr<RawConnection> slow =
      RawConnection::connect(cluster.client_endpoint(node), 2s, 16 * 1024);
  ASSERT_TRUE(slow);
  ASSERT_TRUE(slow->hello(1, 1, 44, 5s).has_value()) << slow->last_error();
  int sent = 0;
  for (; sent < 200; ++sent) {
    proto::GetRequest get;
    get.mutable_header()->set_client_id(44);
    get.set_key("big");
    get.set_consistency(proto::CONSISTENCY_STALE);
    if (!slow->send_envelope(
            make_envelope(proto::MESSAGE_KIND_GET_REQUEST, 100 + sent, get.SerializeAsString()),
            2s)) {
      break;  // already cut off
    }
  }

  // Meanwhile other clients are served as usual.
  client::GetOptions keys_only;
  keys_only.keys_only = true;
  std::chrono::steady_clock::duration slowest{};
  for (int i = 0; i < 20; ++i) {
    const auto started = std::chrono::steady_clock::now();
    auto put = client->put("other/" + std::to_string(i), "v");
    QUOKKA_ASSERT_OK(put);
    auto get = client->get("big", keys_only);
    QUOKKA_ASSERT_OK(get);
    slowest = std::max(slowest, std::chrono::steady_clock::now() - started);
  }
  EXPECT_LE(slowest, 1s) << "other clients slowed down to "
                         << std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count()
                         << " ms";

  // The node cut the reader off: draining what was already sent ends in a
  // closed connection, not in 200 answers and a silence.
  EXPECT_TRUE(slow->wait_closed(10s))
      << "the node kept serving a client that never read (" << sent << " requests sent)";
  EXPECT_NE(cluster.log_contents(node).find("cutting off client"), std::string::npos)
      << "the node did not log why it closed the connection";
  EXPECT_TRUE(cluster.running(node));
  expect_node_serves(cluster, node, "after-slow-client");
}

}  // namespace
}  // namespace quokka::integration
