// Admission control, seen from a client:
// - more requests outstanding on one connection than
//   queues.inflight_requests_per_connection_max allows get OVERLOADED each,
//   at once, and the node counts every such refusal exactly once in
//   quokka_queue_rejected_total{queue="connection_requests"}, and nowhere
//   else;
// - a burst of large writes past queues.write_values_bytes_max is answered
//   in full, each write either applied or refused with OVERLOADED naming
//   the limit, never left to time out, and the refusals are counted under
//   queue="write_values".
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "proto/client.pb.h"
#include "proto/errors.pb.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/process_cluster.h"
#include "tests/integration/raw_connection.h"

namespace quokka::integration {
namespace {

using namespace std::chrono_literals;

constexpr uint64_t kInflightMax = 2;
constexpr int kRequests = 40;
// How long the requests that do get a slot stay in flight (their deadline).
constexpr uint32_t kHoldMs = 2000;

// Every quokka_queue_rejected_total series of the node, by queue.
std::map<std::string, double> rejections(const std::string& metrics_endpoint) {
  std::string error;
  std::optional<HttpResponse> scrape = http_get(metrics_endpoint, "/metrics", 2s, &error);
  EXPECT_TRUE(scrape.has_value()) << metrics_endpoint << ": " << error;
  std::map<std::string, double> by_queue;
  if (!scrape) return by_queue;
  EXPECT_EQ(scrape->status, 200);
  for (const Sample& sample : samples_of(scrape->body, "quokka_queue_rejected_total")) {
    by_queue[sample.labels.at("queue")] = sample.value;
  }
  return by_queue;
}

TEST(OverloadTest, PerConnectionRefusalsMatchTheRejectionCounterExactly) {
  ProcessCluster cluster({.settings = {fmt::format(
                              "queues.inflight_requests_per_connection_max={}", kInflightMax)}});
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  const NodeId node = leader->id;
  const std::string metrics = cluster.metrics_endpoint(node);

  const std::map<std::string, double> before = rejections(metrics);
  ASSERT_FALSE(before.empty()) << "no quokka_queue_rejected_total series on " << metrics;

  std::unique_ptr<RawConnection> connection =
      RawConnection::connect(cluster.client_endpoint(node), 2s);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(connection->hello(1, 1, 77, 5s).has_value()) << connection->last_error();

  // Stale reads that wait for a revision the cluster will not reach before
  // their deadline: the first kInflightMax take the connection's slots and
  // hold them for kHoldMs, so every later one finds the connection full.
  // All are sent before any answer is read.
  for (int i = 0; i < kRequests; ++i) {
    proto::GetRequest get;
    get.mutable_header()->set_client_id(77);
    get.mutable_header()->set_deadline_ms(kHoldMs);
    get.set_key("overload");
    get.set_consistency(proto::CONSISTENCY_STALE);
    get.set_min_revision(uint64_t{1} << 40);
    ASSERT_TRUE(connection->send_envelope(
        make_envelope(proto::MESSAGE_KIND_GET_REQUEST, 1000 + i, get.SerializeAsString()), 2s))
        << "request " << i << ": " << connection->last_error();
  }

  int overloaded = 0;
  std::map<std::string, int> other_codes;
  std::set<uint64_t> answered;
  for (int i = 0; i < kRequests; ++i) {
    std::optional<proto::Envelope> answer = connection->read_envelope(10s);
    ASSERT_TRUE(answer.has_value()) << "answer " << i << " of " << kRequests << ": "
                                    << connection->last_error();
    ASSERT_EQ(answer->kind(), proto::MESSAGE_KIND_GET_RESPONSE);
    answered.insert(answer->request_id());
    proto::GetResponse response;
    ASSERT_TRUE(response.ParseFromString(answer->payload()));
    if (response.error().code() == proto::OVERLOADED) {
      ++overloaded;
      EXPECT_TRUE(response.error().definite()) << response.error().message();
      EXPECT_NE(response.error().message().find("inflight_requests_per_connection_max"),
                std::string::npos)
          << response.error().message();
    } else {
      ++other_codes[proto::ErrorCode_Name(response.error().code())];
    }
  }
  EXPECT_EQ(answered.size(), static_cast<size_t>(kRequests)) << "an answer came twice";

  const std::map<std::string, double> after = rejections(metrics);
  std::string codes;
  for (const auto& [code, count] : other_codes) codes += fmt::format(" {}={}", code, count);
  std::cout << fmt::format("node {}: {} of {} requests refused with OVERLOADED; the others:{}\n",
                           node.value(), overloaded, kRequests, codes);

  // Only the requests that held a slot were served (they time out
  // waiting for the revision); everything else was refused.
  EXPECT_EQ(overloaded, kRequests - static_cast<int>(kInflightMax));
  ASSERT_GT(overloaded, 0);

  // Exactly one count per OVERLOADED answer, under the connection's queue,
  // and no other queue moved.
  const double before_connection =
      before.contains("connection_requests") ? before.at("connection_requests") : 0;
  ASSERT_TRUE(after.contains("connection_requests"))
      << "no quokka_queue_rejected_total{queue=\"connection_requests\"} after the refusals";
  EXPECT_EQ(after.at("connection_requests") - before_connection, static_cast<double>(overloaded));
  for (const auto& [queue, value] : after) {
    if (queue == "connection_requests") continue;
    const double old = before.contains(queue) ? before.at(queue) : 0;
    EXPECT_EQ(value, old) << "quokka_queue_rejected_total{queue=\"" << queue << "\"} moved";
  }
}

constexpr uint64_t kWriteValuesMax = 1024 * 1024;
constexpr int kLargeWrites = 40;
constexpr size_t kLargeValueBytes = 512 * 1024;

TEST(OverloadTest, LargeWritesPastTheValueBudgetAreRefusedNotLeftToTimeOut) {
  ProcessCluster cluster(
      {.settings = {fmt::format("queues.write_values_bytes_max={}", kWriteValuesMax)}});
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(leader.has_value()) << cluster.last_status_report();
  const std::string metrics = cluster.metrics_endpoint(leader->id);
  const std::map<std::string, double> before = rejections(metrics);

  std::unique_ptr<RawConnection> connection =
      RawConnection::connect(cluster.client_endpoint(leader->id), 2s);
  ASSERT_TRUE(connection);
  ASSERT_TRUE(connection->hello(1, 1, 78, 5s).has_value()) << connection->last_error();
  // 20 MiB of values sent at once, each write its own client (one write in
  // flight per session), long deadlines: whatever is not admitted must be
  // refused, since nothing here would time out.
  for (int i = 0; i < kLargeWrites; ++i) {
    proto::PutRequest put;
    put.mutable_header()->set_client_id(5000 + i);
    put.mutable_header()->set_sequence(1);
    put.mutable_header()->set_deadline_ms(20000);
    put.set_key(fmt::format("large/{}", i));
    put.set_value(std::string(kLargeValueBytes, static_cast<char>('a' + i % 26)));
    ASSERT_TRUE(connection->send_envelope(
        make_envelope(proto::MESSAGE_KIND_PUT_REQUEST, 2000 + i, put.SerializeAsString()), 5s))
        << "write " << i << ": " << connection->last_error();
  }
  int ok = 0;
  int overloaded = 0;
  std::map<std::string, int> other_codes;
  for (int i = 0; i < kLargeWrites; ++i) {
    std::optional<proto::Envelope> answer = connection->read_envelope(25s);
    ASSERT_TRUE(answer.has_value()) << "answer " << i << " of " << kLargeWrites << ": "
                                    << connection->last_error();
    ASSERT_EQ(answer->kind(), proto::MESSAGE_KIND_PUT_RESPONSE);
    proto::PutResponse response;
    ASSERT_TRUE(response.ParseFromString(answer->payload()));
    if (!response.has_error() || response.error().code() == proto::OK) {
      ++ok;
    } else if (response.error().code() == proto::OVERLOADED) {
      ++overloaded;
      EXPECT_TRUE(response.error().definite()) << response.error().message();
      EXPECT_NE(response.error().message().find("write_values_bytes_max = 1048576"),
                std::string::npos)
          << response.error().message();
    } else {
      ++other_codes[proto::ErrorCode_Name(response.error().code())];
    }
  }
  std::cout << fmt::format("{} of {} writes of {} KiB applied, {} refused with OVERLOADED\n", ok,
                           kLargeWrites, kLargeValueBytes / 1024, overloaded);
  EXPECT_TRUE(other_codes.empty()) << "answers other than OK and OVERLOADED: "
                                   << other_codes.begin()->first;
  EXPECT_GT(ok, 0);
  EXPECT_GT(overloaded, 0);
  const std::map<std::string, double> after = rejections(metrics);
  ASSERT_TRUE(after.contains("write_values"));
  const double before_values = before.contains("write_values") ? before.at("write_values") : 0;
  EXPECT_EQ(after.at("write_values") - before_values, static_cast<double>(overloaded));
}

}  // namespace
}  // namespace quokka::integration
