// Retries, exactly-once sequences, definite vs indeterminate outcomes,
// deadlines and the client's bounded queues.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "tests/client/fake_server.h"

namespace quokka::client {
namespace {

using std::chrono::milliseconds;
using testing::FakeServer;
using ::testing::HasSubstr;

GetOptions get_with_deadline(milliseconds deadline) {
  GetOptions options;
  options.deadline = deadline;
  return options;
}

uint64_t sequence_of(const proto::Envelope& request) {
  return testing::parse<proto::PutRequest>(request).header().sequence();
}

TEST(ClientRetryTest, ARetriedWriteKeepsItsSequenceAndTheNextWriteGetsANewOne) {
  FakeServer server;
  auto puts = std::make_shared<std::atomic<int>>(0);
  server.set_script([puts](const proto::Envelope& request) -> std::optional<FakeServer::Reply> {
    // The first attempt is lost: the client must retry it.
    if (puts->fetch_add(1) == 0) return std::nullopt;
    return testing::put_ok(request, 10);
  });
  ClientOptions options = testing::fast_options({server.address()});
  options.retry.attempt_timeout = milliseconds(200);
  auto client = testing::make_client(options);

  ClientResult<PutResult> first = client->put("k", "v");
  ASSERT_TRUE(first.is_ok()) << first.error().to_string();
  ClientResult<PutResult> second = client->put("k", "w");
  ASSERT_TRUE(second.is_ok()) << second.error().to_string();

  const std::vector<proto::Envelope> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(sequence_of(requests[0]), 1u);
  EXPECT_EQ(sequence_of(requests[1]), 1u) << "the retry repeats the write's sequence";
  EXPECT_EQ(testing::parse<proto::PutRequest>(requests[1]).value(), "v");
  EXPECT_EQ(sequence_of(requests[2]), 2u);
  EXPECT_EQ(client->stats().of(Operation::kPut).retries, 1u);
}

TEST(ClientRetryTest, AWriteTimingOutAfterItWasSentIsIndeterminate) {
  FakeServer silent;
  auto client = testing::make_client(testing::fast_options({silent.address()}));

  const auto started = std::chrono::steady_clock::now();
  ClientResult<PutResult> put =
      client->put("k", "v", RequestOptions{.deadline = milliseconds(500)});
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(put.is_ok());
  EXPECT_EQ(put.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(put.error().outcome, Outcome::kIndeterminate);
  EXPECT_LT(took, milliseconds(2000)) << "the deadline bounds the wait";
  EXPECT_EQ(client->stats().of(Operation::kPut).indeterminate, 1u);

  // Its sequence may have been used, so the next write never reuses it.
  // It was the session's first: had it not applied, the cluster would
  // refuse sequence 2 of a session it never saw, so the session starts
  // afresh under a new id at sequence 1.
  ClientResult<PutResult> next =
      client->put("k", "w", RequestOptions{.deadline = milliseconds(100)});
  ASSERT_FALSE(next.is_ok());
  const std::vector<proto::Envelope> requests = silent.requests();
  ASSERT_GE(requests.size(), 2u);
  const proto::RequestHeader first = testing::parse<proto::PutRequest>(requests.front()).header();
  const proto::RequestHeader last = testing::parse<proto::PutRequest>(requests.back()).header();
  EXPECT_EQ(first.sequence(), 1u);
  EXPECT_EQ(last.sequence(), 1u);
  EXPECT_NE(last.client_id(), first.client_id());
  EXPECT_NE(last.client_id(), 0u);
}

TEST(ClientRetryTest, AfterAnIndeterminateLaterWriteTheSessionTakesTheNextSequence) {
  FakeServer server;
  auto puts = std::make_shared<std::atomic<int>>(0);
  // The first write succeeds; the second gets no answer at all.
  server.set_script([puts](const proto::Envelope& request) -> std::optional<FakeServer::Reply> {
    if (puts->fetch_add(1) == 0) return testing::put_ok(request, 10);
    return std::nullopt;
  });
  ClientOptions options = testing::fast_options({server.address()});
  options.write_sessions = 1;
  auto client = testing::make_client(options);
  ASSERT_TRUE(client->put("k", "v").is_ok());
  ClientResult<PutResult> lost =
      client->put("k", "w", RequestOptions{.deadline = milliseconds(300)});
  ASSERT_FALSE(lost.is_ok());
  EXPECT_EQ(lost.error().outcome, Outcome::kIndeterminate);
  ClientResult<PutResult> next =
      client->put("k", "x", RequestOptions{.deadline = milliseconds(100)});
  const std::vector<proto::Envelope> requests = server.requests();
  ASSERT_GE(requests.size(), 3u);
  const proto::RequestHeader first = testing::parse<proto::PutRequest>(requests.front()).header();
  const proto::RequestHeader last = testing::parse<proto::PutRequest>(requests.back()).header();
  EXPECT_EQ(last.client_id(), first.client_id()) << "a known session keeps its id";
  EXPECT_EQ(last.sequence(), 3u);
}

TEST(ClientRetryTest, AReadWithASilentServerEndsAtItsDeadlineAsDefinite) {
  FakeServer silent;
  auto client = testing::make_client(testing::fast_options({silent.address()}));

  const auto started = std::chrono::steady_clock::now();
  ClientResult<GetResult> get =
      client->get("k", get_with_deadline(milliseconds(400)));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(get.is_ok());
  EXPECT_EQ(get.error().code, ErrorCode::kTimeout);
  EXPECT_TRUE(get.error().definite()) << "a read changes nothing";
  EXPECT_GE(took, milliseconds(250));
  EXPECT_LT(took, milliseconds(2000));
}

TEST(ClientRetryTest, DefiniteRefusalsStayDefiniteAndFreeTheSequence) {
  FakeServer server;
  server.set_script([](const proto::Envelope&) -> std::optional<FakeServer::Reply> {
    return testing::error_response(
        proto::MESSAGE_KIND_PUT_RESPONSE,
        testing::wire_error(proto::NO_QUORUM, "cannot reach a majority", true));
  });
  ClientOptions options = testing::fast_options({server.address()});
  options.retry.attempts_max = 3;
  auto client = testing::make_client(options);

  ClientResult<PutResult> put = client->put("k", "v");
  ASSERT_FALSE(put.is_ok());
  EXPECT_EQ(put.error().code, ErrorCode::kNoQuorum);
  EXPECT_TRUE(put.error().definite());
  EXPECT_EQ(put.error().attempts, 3u);
  EXPECT_THAT(put.error().message, HasSubstr("gave up after 3 attempts"));

  // Sequence 1 never took effect anywhere, so the next write reuses it and
  // the cluster sees no gap.
  ASSERT_FALSE(client->put("k", "w").is_ok());
  const std::vector<proto::Envelope> requests = server.requests();
  ASSERT_EQ(requests.size(), 6u);
  for (const proto::Envelope& request : requests) EXPECT_EQ(sequence_of(request), 1u);
}

TEST(ClientRetryTest, AnIndeterminateNodeErrorMakesTheWriteIndeterminate) {
  FakeServer server;
  server.set_script([](const proto::Envelope&) -> std::optional<FakeServer::Reply> {
    return testing::error_response(
        proto::MESSAGE_KIND_DELETE_RESPONSE,
        testing::wire_error(proto::TIMEOUT, "proposed, not committed in time", false));
  });
  ClientOptions options = testing::fast_options({server.address()});
  options.retry.attempts_max = 2;
  auto client = testing::make_client(options);

  ClientResult<DeleteResult> del = client->del("k");
  ASSERT_FALSE(del.is_ok());
  EXPECT_EQ(del.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(del.error().outcome, Outcome::kIndeterminate);
}

TEST(ClientRetryTest, ACasMismatchIsDefiniteEvenAfterALostAttempt) {
  FakeServer server;
  auto attempts = std::make_shared<std::atomic<int>>(0);
  server.set_script(
      [attempts](const proto::Envelope&) -> std::optional<FakeServer::Reply> {
        if (attempts->fetch_add(1) == 0) return std::nullopt;
        proto::CompareAndSwapResponse response;
        *response.mutable_error() =
            testing::wire_error(proto::CAS_MISMATCH, "mod_revision is 9", true);
        response.set_actual_mod_revision(9);
        return testing::reply(proto::MESSAGE_KIND_COMPARE_AND_SWAP_RESPONSE, response);
      });
  ClientOptions options = testing::fast_options({server.address()});
  options.retry.attempt_timeout = milliseconds(200);
  auto client = testing::make_client(options);

  ClientResult<CompareAndSwapResult> cas = client->compare_and_swap("k", Revision(4), "v");
  ASSERT_FALSE(cas.is_ok());
  EXPECT_EQ(cas.error().code, ErrorCode::kCasMismatch);
  EXPECT_TRUE(cas.error().definite())
      << "the session answers a retry with the write's one outcome";
  EXPECT_EQ(cas.error().actual_mod_revision, Revision(9));
  const auto request = testing::parse<proto::CompareAndSwapRequest>(server.requests()[1]);
  EXPECT_EQ(request.expected_mod_revision(), 4u);
  EXPECT_EQ(request.header().sequence(), 1u);
}

TEST(ClientRetryTest, AMissingKeyIsAnAnswerNotAnError) {
  FakeServer server;
  server.set_script([](const proto::Envelope&) -> std::optional<FakeServer::Reply> {
    proto::GetResponse response;
    response.mutable_header()->set_revision(21);
    *response.mutable_error() = testing::wire_error(proto::NOT_FOUND, "no such key", true);
    return testing::reply(proto::MESSAGE_KIND_GET_RESPONSE, response);
  });
  auto client = testing::make_client(testing::fast_options({server.address()}));
  ClientResult<GetResult> get = client->get("missing");
  ASSERT_TRUE(get.is_ok()) << get.error().to_string();
  EXPECT_FALSE(get->kv.has_value());
  EXPECT_EQ(get->header.revision, Revision(21));
}

TEST(ClientRetryTest, WithOneWriteSessionWritesGoOneAtATimeInSubmissionOrder) {
  FakeServer server;
  auto revision = std::make_shared<std::atomic<uint64_t>>(0);
  server.set_script(
      [revision](const proto::Envelope& request) -> std::optional<FakeServer::Reply> {
        return testing::put_ok(request, ++*revision);
      });
  ClientOptions options = testing::fast_options({server.address()});
  options.write_sessions = 1;
  auto client = testing::make_client(options);

  std::vector<std::future<ClientResult<PutResult>>> results;
  for (int i = 0; i < 5; ++i) {
    auto [callback, future] = testing::capture<PutResult>();
    client->put_async("k" + std::to_string(i), "v", callback);
    results.push_back(std::move(future));
  }
  for (size_t i = 0; i < results.size(); ++i) {
    ClientResult<PutResult> result = results[i].get();
    ASSERT_TRUE(result.is_ok()) << result.error().to_string();
    EXPECT_EQ(result->header.revision, Revision(i + 1));
  }
  const std::vector<proto::Envelope> requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto put = testing::parse<proto::PutRequest>(requests[i]);
    EXPECT_EQ(put.key(), "k" + std::to_string(i));
    EXPECT_EQ(put.header().sequence(), i + 1);
  }
}

TEST(ClientRetryTest, AQueuedWriteWaitsForTheOneInFlightAndTimesOutUnsent) {
  FakeServer silent;
  ClientOptions options = testing::fast_options({silent.address()});
  options.write_sessions = 1;
  options.retry.attempt_timeout = milliseconds(1000);
  auto client = testing::make_client(options);

  auto [first_done, first] = testing::capture<PutResult>();
  auto [second_done, second] = testing::capture<PutResult>();
  client->put_async("a", "1", first_done, RequestOptions{.deadline = milliseconds(500)});
  client->put_async("b", "2", second_done, RequestOptions{.deadline = milliseconds(300)});
  ASSERT_TRUE(silent.wait_for_requests(1));

  ClientResult<PutResult> second_result = second.get();
  ASSERT_FALSE(second_result.is_ok());
  EXPECT_EQ(second_result.error().code, ErrorCode::kTimeout);
  EXPECT_TRUE(second_result.error().definite()) << "it never left the client";
  EXPECT_THAT(second_result.error().message, HasSubstr("never sent"));
  ClientResult<PutResult> first_result = first.get();
  ASSERT_FALSE(first_result.is_ok());
  EXPECT_EQ(first_result.error().outcome, Outcome::kIndeterminate);
  EXPECT_EQ(silent.requests().size(), 1u) << "only one write was ever in flight";
}

TEST(ClientRetryTest, EachWriteSessionHasOneWriteInFlightWithItsOwnIdAndSequence) {
  FakeServer silent;
  ClientOptions options = testing::fast_options({silent.address()});
  options.retry.attempt_timeout = milliseconds(1000);
  options.write_sessions = 3;
  auto client = testing::make_client(options);

  std::vector<std::future<ClientResult<PutResult>>> results;
  for (int i = 0; i < 4; ++i) {
    auto [callback, future] = testing::capture<PutResult>();
    // The fourth must expire while it waits, before any session frees up.
    client->put_async("k" + std::to_string(i), "v", callback,
                      RequestOptions{.deadline = milliseconds(i < 3 ? 600 : 300)});
    results.push_back(std::move(future));
  }
  ASSERT_TRUE(silent.wait_for_requests(3));
  for (size_t i = 0; i < 3; ++i) {
    ClientResult<PutResult> sent = results[i].get();
    ASSERT_FALSE(sent.is_ok());
    EXPECT_EQ(sent.error().outcome, Outcome::kIndeterminate);
  }
  ClientResult<PutResult> unsent = results[3].get();
  ASSERT_FALSE(unsent.is_ok());
  EXPECT_TRUE(unsent.error().definite());
  EXPECT_THAT(unsent.error().message, HasSubstr("never sent"));
  const std::vector<proto::Envelope> requests = silent.requests();
  ASSERT_EQ(requests.size(), 3u) << "three sessions, three writes in flight; the "
                                    "fourth waited and timed out unsent";
  std::set<uint64_t> ids;
  for (const proto::Envelope& request : requests) {
    const auto put = testing::parse<proto::PutRequest>(request);
    EXPECT_EQ(put.header().sequence(), 1u) << "each session starts at sequence 1";
    EXPECT_NE(put.header().client_id(), 0u);
    ids.insert(put.header().client_id());
  }
  EXPECT_EQ(ids.size(), 3u) << "every session has its own client id";
  EXPECT_TRUE(ids.contains(client->client_id())) << "session 0 uses the client id";
}

TEST(ClientRetryTest, OutstandingRequestsAreBoundedAndTheExcessRefusedAtOnce) {
  FakeServer silent;
  ClientOptions options = testing::fast_options({silent.address()});
  options.outstanding_requests_max = 2;
  auto client = testing::make_client(options);

  auto [first_done, first] = testing::capture<GetResult>();
  auto [second_done, second] = testing::capture<GetResult>();
  auto [third_done, third] = testing::capture<GetResult>();
  client->get_async("a", first_done, get_with_deadline(milliseconds(1000)));
  client->get_async("b", second_done, get_with_deadline(milliseconds(1000)));
  client->get_async("c", third_done, get_with_deadline(milliseconds(1000)));

  ASSERT_EQ(third.wait_for(milliseconds(500)), std::future_status::ready)
      << "the refusal does not wait for the others";
  ClientResult<GetResult> refused = third.get();
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kOverloaded);
  EXPECT_TRUE(refused.error().definite());
  EXPECT_THAT(refused.error().message, HasSubstr("outstanding_requests_max"));
  EXPECT_EQ(first.wait_for(milliseconds(0)), std::future_status::timeout);
  EXPECT_FALSE(first.get().is_ok());
  EXPECT_FALSE(second.get().is_ok());
  EXPECT_EQ(client->stats().of(Operation::kGet).refused_overloaded, 1u);
}

TEST(ClientRetryTest, QueuedWritesAreBounded) {
  FakeServer silent;
  ClientOptions options = testing::fast_options({silent.address()});
  options.write_sessions = 1;
  options.queued_writes_max = 1;
  auto client = testing::make_client(options);

  std::vector<std::future<ClientResult<PutResult>>> results;
  for (int i = 0; i < 3; ++i) {
    auto [callback, future] = testing::capture<PutResult>();
    client->put_async("k", "v", callback, RequestOptions{.deadline = milliseconds(400)});
    results.push_back(std::move(future));
  }
  ClientResult<PutResult> refused = results[2].get();
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kOverloaded);
  EXPECT_THAT(refused.error().message, HasSubstr("queued_writes_max"));
  EXPECT_FALSE(results[0].get().is_ok());
  EXPECT_FALSE(results[1].get().is_ok());
}

TEST(ClientRetryTest, DestroyingTheClientFailsWhatIsStillOutstanding) {
  FakeServer silent;
  auto client = testing::make_client(testing::fast_options({silent.address()}));
  auto [done, result] = testing::capture<PutResult>();
  client->put_async("k", "v", done, RequestOptions{.deadline = milliseconds(10000)});
  ASSERT_TRUE(silent.wait_for_requests(1));
  client.reset();
  ClientResult<PutResult> put = result.get();
  ASSERT_FALSE(put.is_ok());
  EXPECT_EQ(put.error().code, ErrorCode::kShuttingDown);
  EXPECT_EQ(put.error().outcome, Outcome::kIndeterminate) << "the write was sent";
}

}  // namespace
}  // namespace quokka::client
