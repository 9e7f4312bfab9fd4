// A leader paused (SIGSTOP) past the election timeout while the others
// elect a new leader and take a write, then resumed (SIGCONT): requests
// that reached it while it was frozen are answered from its old view, if
// at all, only as errors. It acknowledges no write and serves no
// linearizable read for its old term; every read through it returns the
// new value or fails.
#include <iostream>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "client/client.h"
#include "proto/client.pb.h"
#include "proto/errors.pb.h"
#include "tests/integration/client_result_assertions.h"
#include "tests/integration/process_cluster.h"
#include "tests/integration/raw_connection.h"

namespace quokka::integration {
namespace {

using namespace std::chrono_literals;

constexpr int kQueuedReads = 20;
constexpr uint64_t kReaderClientId = 0x51a1e0001;
constexpr uint64_t kWriterClientId = 0x51a1e0002;
constexpr uint32_t kRequestDeadlineMs = 3000;

std::string describe_error(const proto::Error& error) {
  return proto::ErrorCode_Name(error.code()) + ": " + error.message();
}

TEST(StaleLeaderTest, ResumedOldLeaderNeitherAcknowledgesWritesNorServesOldReads) {
  ProcessCluster cluster;
  ASSERT_TRUE(cluster.start());
  const std::optional<LeaderInfo> old_leader = cluster.wait_for_leader(15s);
  ASSERT_TRUE(old_leader.has_value()) << cluster.last_status_report();
  std::vector<NodeId> others;
  for (NodeId id : cluster.node_ids()) {
    if (id != old_leader->id) others.push_back(id);
  }

  std::unique_ptr<client::Client> client = cluster.make_client();
  auto old_write = client->put("register", "old");
  QUOKKA_ASSERT_OK(old_write);

  // Connections to the old leader, handshaken before it freezes, so the
  // requests below wait in its socket buffers and are the first thing it
  // reads when it runs again.
  const std::string old_endpoint = cluster.client_endpoint(old_leader->id);
  std::unique_ptr<RawConnection> reader = RawConnection::connect(old_endpoint, 2s);
  std::unique_ptr<RawConnection> writer = RawConnection::connect(old_endpoint, 2s);
  ASSERT_TRUE(reader && writer);
  ASSERT_TRUE(reader->hello(1, 1, kReaderClientId, 2s).has_value()) << reader->last_error();
  ASSERT_TRUE(writer->hello(1, 1, kWriterClientId, 2s).has_value()) << writer->last_error();

  cluster.pause(old_leader->id);
  const uint64_t paused_at = monotonic_micros();
  const std::optional<LeaderInfo> new_leader = cluster.wait_for_leader(15s, {old_leader->id});
  ASSERT_TRUE(new_leader.has_value()) << cluster.last_status_report();
  ASSERT_GT(new_leader->term, old_leader->term);
  std::unique_ptr<client::Client> majority = cluster.make_client(others);
  auto new_write = majority->put("register", "new");
  QUOKKA_ASSERT_OK(new_write);
  EXPECT_GT(new_write->header.term, old_leader->term);
  // Past the election timeout, whatever the election took.
  while (monotonic_micros() - paused_at < 2 * 1000 * uint64_t(kElectionTimeout.count())) {
    std::this_thread::sleep_for(20ms);
  }

  for (int i = 0; i < kQueuedReads; ++i) {
    proto::GetRequest get;
    get.mutable_header()->set_client_id(kReaderClientId);
    get.mutable_header()->set_deadline_ms(kRequestDeadlineMs);
    get.set_key("register");
    get.set_consistency(proto::CONSISTENCY_LINEARIZABLE);
    ASSERT_TRUE(reader->send_envelope(
        make_envelope(proto::MESSAGE_KIND_GET_REQUEST, 100 + i, get.SerializeAsString()), 2s))
        << reader->last_error();
  }
  proto::PutRequest put;
  put.mutable_header()->set_client_id(kWriterClientId);
  put.mutable_header()->set_sequence(1);
  put.mutable_header()->set_deadline_ms(kRequestDeadlineMs);
  put.set_key("written-through-the-old-leader");
  put.set_value("stale");
  ASSERT_TRUE(writer->send_envelope(
      make_envelope(proto::MESSAGE_KIND_PUT_REQUEST, 7, put.SerializeAsString()), 2s))
      << writer->last_error();

  cluster.resume(old_leader->id);

  std::map<std::string, int> outcomes;
  for (int i = 0; i < kQueuedReads; ++i) {
    std::optional<proto::Envelope> answer = reader->read_envelope(10s);
    if (!answer) {
      // A closed connection is an error answer too; a missing answer past
      // the request deadline is not.
      ASSERT_EQ(reader->last_error(), "the connection was closed") << "read " << i;
      ++outcomes["connection closed"];
      break;
    }
    if (answer->kind() == proto::MESSAGE_KIND_ERROR_REPLY) {
      proto::ErrorReply reply;
      ASSERT_TRUE(reply.ParseFromString(answer->payload()));
      ++outcomes[proto::ErrorCode_Name(reply.error().code())];
      continue;
    }
    ASSERT_EQ(answer->kind(), proto::MESSAGE_KIND_GET_RESPONSE);
    proto::GetResponse response;
    ASSERT_TRUE(response.ParseFromString(answer->payload()));
    if (response.has_error() && response.error().code() != proto::OK) {
      ++outcomes[proto::ErrorCode_Name(response.error().code())];
      continue;
    }
    ++outcomes["ok"];
    EXPECT_EQ(response.kv().value(), "new")
        << "a linearizable read through the resumed old leader returned a value "
           "overwritten while it was paused (answered by node "
        << response.header().node_id() << " in term " << response.header().raft_term()
        << "; the old leader led term " << old_leader->term << ")";
    EXPECT_GT(response.header().raft_term(), old_leader->term.value());
  }
  std::cout << "queued linearizable reads through the resumed old leader:";
  for (const auto& [outcome, count] : outcomes) std::cout << " " << outcome << "=" << count;
  std::cout << "\n";

  std::optional<proto::Envelope> put_answer = writer->read_envelope(10s);
  ASSERT_TRUE(put_answer.has_value()) << "no answer to the write: " << writer->last_error();
  ASSERT_EQ(put_answer->kind(), proto::MESSAGE_KIND_PUT_RESPONSE);
  proto::PutResponse put_response;
  ASSERT_TRUE(put_response.ParseFromString(put_answer->payload()));
  auto written = majority->get("written-through-the-old-leader");
  QUOKKA_ASSERT_OK(written);
  if (put_response.has_error() && put_response.error().code() != proto::OK) {
    std::cout << "the write through the resumed old leader: "
              << describe_error(put_response.error()) << "\n";
    if (put_response.error().definite()) {
      EXPECT_FALSE(written->kv.has_value()) << "a write refused definitely was applied";
    }
  } else {
    // Acknowledged: only in a later term, and durable.
    EXPECT_GT(put_response.header().raft_term(), old_leader->term.value())
        << "the old leader acknowledged a write in its old term";
    ASSERT_TRUE(written->kv.has_value()) << "an acknowledged write is missing";
    EXPECT_EQ(written->kv->value, "stale");
    EXPECT_EQ(written->kv->mod_revision.value(), put_response.kv().mod_revision());
  }

  // Reads through the old node keep returning the new value (or failing)
  // while it learns that it was deposed.
  client::ClientOptions only_once;
  only_once.retry.attempts_max = 1;
  std::unique_ptr<client::Client> through_old = cluster.make_client({old_leader->id}, only_once);
  int served = 0;
  const auto until = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < until) {
    auto read = through_old->get("register");
    if (!read.is_ok()) {
      std::this_thread::sleep_for(10ms);
      continue;
    }
    ++served;
    ASSERT_TRUE(read->kv.has_value());
    EXPECT_EQ(read->kv->value, "new") << "answered by node " << read->header.node << " in term "
                                      << read->header.term;
  }
  EXPECT_GT(served, 0) << "the old leader never served a read after it rejoined";

  // The cluster converges again, with all three nodes.
  EXPECT_TRUE(cluster.wait_for_leader(15s).has_value()) << cluster.last_status_report();
}

}  // namespace
}  // namespace quokka::integration
