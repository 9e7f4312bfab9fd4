// Client-side limits: refused before anything is sent.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace quokka::client
