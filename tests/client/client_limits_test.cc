// Client-side limits: refused before anything is sent.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>

#include "tests/client/fake_server.h"

namespace quokka::client {
namespace {

using testing::FakeServer;
using ::testing::HasSubstr;

class ClientLimitsTest : public ::testing::Test {
 protected:
  ClientLimitsTest() {
    ClientOptions options = testing::fast_options({server_.address()});
    options.limits.key_bytes_max = 8;
    options.limits.value_bytes_max = 16;
    client_ = testing::make_client(options);
  }

  FakeServer server_;
  std::unique_ptr<Client> client_;
};

TEST_F(ClientLimitsTest, AnOverLimitKeyIsTooLargeNamingTheLimitAndTheSize) {
  ClientResult<PutResult> put = client_->put(std::string(9, 'k'), "v");
  ASSERT_FALSE(put.is_ok());
  EXPECT_EQ(put.error().code, ErrorCode::kTooLarge);
  EXPECT_TRUE(put.error().definite());
  EXPECT_THAT(put.error().message, HasSubstr("key of 9 bytes"));
  EXPECT_THAT(put.error().message, HasSubstr("key_bytes_max of 8 bytes"));
  EXPECT_EQ(put.error().attempts, 0u);

  ClientResult<GetResult> get = client_->get(std::string(9, 'k'));
  ASSERT_FALSE(get.is_ok());
  EXPECT_EQ(get.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(server_.connections(), 0u) << "nothing was sent";
}

TEST_F(ClientLimitsTest, AnOverLimitValueIsTooLargeForPutAndCompareAndSwap) {
  ClientResult<PutResult> put = client_->put("k", std::string(17, 'v'));
  ASSERT_FALSE(put.is_ok());
  EXPECT_EQ(put.error().code, ErrorCode::kTooLarge);
  EXPECT_THAT(put.error().message, HasSubstr("value of 17 bytes"));
  EXPECT_THAT(put.error().message, HasSubstr("value_bytes_max of 16 bytes"));

  ClientResult<CompareAndSwapResult> cas =
      client_->compare_and_swap("k", Revision(0), std::string(17, 'v'));
  ASSERT_FALSE(cas.is_ok());
  EXPECT_EQ(cas.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(server_.connections(), 0u);

  const ClientStats stats = client_->stats();
  EXPECT_EQ(stats.of(Operation::kPut).failed_with(ErrorCode::kTooLarge), 1u);
  EXPECT_EQ(stats.of(Operation::kCompareAndSwap).failed_with(ErrorCode::kTooLarge), 1u);
}

TEST_F(ClientLimitsTest, EmptyKeysAndOverLimitRangeBoundsAreRefused) {
  ClientResult<DeleteResult> del = client_->del("");
  ASSERT_FALSE(del.is_ok());
  EXPECT_EQ(del.error().code, ErrorCode::kInvalidArgument);

  ClientResult<RangeResult> range = client_->range(KeyRange::prefix(std::string(9, 'p')));
  ASSERT_FALSE(range.is_ok());
  EXPECT_EQ(range.error().code, ErrorCode::kTooLarge);
  EXPECT_THAT(range.error().message, HasSubstr("range prefix"));
  EXPECT_EQ(server_.connections(), 0u);
}

TEST_F(ClientLimitsTest, AValueAtTheLimitIsSent) {
  server_.set_script([](const proto::Envelope& request) -> std::optional<FakeServer::Reply> {
    return testing::put_ok(request, 1);
  });
  ClientResult<PutResult> put = client_->put(std::string(8, 'k'), std::string(16, 'v'));
  ASSERT_TRUE(put.is_ok()) << put.error().to_string();
}

// Values of unanswered writes are held against write_value_bytes_max: one
// more that would pass it is refused at once, definitely, without being
// sent; an answer gives its bytes back.
TEST(ClientValueBudgetTest, AWritePastTheValueBudgetIsRefusedAtOnceUntilAnAnswerFreesIt) {
  FakeServer server;
  // Answers nothing until told to.
  auto answer = std::make_shared<std::atomic<bool>>(false);
  server.set_script([answer](const proto::Envelope& request) -> std::optional<FakeServer::Reply> {
    if (!answer->load()) return std::nullopt;
    return testing::put_ok(request, 1);
  });
  ClientOptions options = testing::fast_options({server.address()});
  options.write_value_bytes_max = 1000;
  auto client = testing::make_client(options);

  std::promise<bool> held_done;
  client->put_async("a", std::string(600, 'a'),
                    [&held_done](ClientResult<PutResult> result) {
                      held_done.set_value(result.is_ok());
                    },
                    RequestOptions{.deadline = std::chrono::milliseconds(3000)});
  // 600 + 600 > 1000: refused without a round trip.
  ClientResult<PutResult> refused =
      client->put("b", std::string(600, 'b'), RequestOptions{.deadline = std::chrono::milliseconds(3000)});
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kOverloaded);
  EXPECT_TRUE(refused.error().definite());
  EXPECT_EQ(refused.error().attempts, 0u);
  EXPECT_THAT(refused.error().message, HasSubstr("write_value_bytes_max = 1000"));
  EXPECT_THAT(refused.error().message, HasSubstr("600 bytes of values"));
  EXPECT_EQ(client->stats().of(Operation::kPut).refused_overloaded, 1u);

  // The held write is answered (a retry of it now succeeds); its bytes come back.
  answer->store(true);
  EXPECT_TRUE(held_done.get_future().get());
  ClientResult<PutResult> after = client->put("c", std::string(600, 'c'));
  EXPECT_TRUE(after.is_ok()) << after.error().to_string();
}

}  // namespace
}  // namespace quokka::client
