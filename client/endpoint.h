#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace quokka::client {

// A node's client address as the client dials it.
struct Endpoint {
  // Without brackets, also for IPv6 ("::1").
  std::string host;
  uint16_t port = 0;

  // "host:port", with brackets around an IPv6 host.
  std::string to_string() const;
};

// Parses "host:port" or "[v6-address]:port"; port 1..65535. The host is
// resolved when the client connects, not here. INVALID_ARGUMENT names what
// is wrong and quotes the text.
Result<Endpoint> parse_endpoint(std::string_view text);

// Splits "a:1,b:2" on commas, dropping surrounding blanks and empty items.
std::vector<std::string> split_endpoint_list(std::string_view text);

}  // namespace quokka::client
