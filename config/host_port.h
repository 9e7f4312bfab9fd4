#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace quokka {

// A network endpoint as written in configuration: "127.0.0.1:7101",
// "[::1]:7101" or "node1.example:7101". The host is kept as text (a name is
// resolved when the daemon dials or binds, not when the config is read).
struct HostPort {
  // Without brackets, also for IPv6 ("::1").
  std::string host;
  uint16_t port = 0;

  // "0.0.0.0" or "::": bind on every interface. Such an address can be
  // listened on but never dialled, so cluster members may not use one.
  bool is_wildcard() const;
  // Host and port as they would be written in a config file; IPv6 hosts get
  // their brackets back.
  std::string to_string() const;

  auto operator<=>(const HostPort&) const = default;
};

// Parses "host:port". The host is an IPv4 address in dotted-quad form, an
// IPv6 address in brackets, or a DNS name (labels of letters, digits and
// '-', at most 63 characters each and 253 in all); the port is 1..65535.
// On failure the Status (INVALID_ARGUMENT) says what is wrong with the text
// without repeating it, so callers can prefix the field it came from.
Result<HostPort> parse_host_port(std::string_view text);

// What parse_host_port accepts, for error messages and documentation.
inline constexpr std::string_view kHostPortSyntax =
    "host:port with an IPv4 address, [IPv6] address or DNS name as host "
    "and port 1..65535";

}  // namespace quokka
