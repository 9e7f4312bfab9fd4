#pragma once

#include <gtest/gtest.h>

// A gtest assertion on a client::ClientResult that prints the client's error
// (code, definite or not, endpoint, message) when the result is not OK.
#define QUOKKA_ASSERT_OK(result)                                   \
  do {                                                             \
    const auto& quokka_result_ = (result);                         \
    ASSERT_TRUE(quokka_result_.is_ok())                            \
        << #result << ": " << quokka_result_.error().to_string();  \
  } while (false)

