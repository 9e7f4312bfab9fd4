#include "client/endpoint.h"

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace quokka::client {
namespace {

Status bad_endpoint(std::string_view text, std::string_view why) {
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("endpoint \"{}\": {} (expected host:port or "
                            "[ipv6]:port, port 1..65535)",
                            text, why));
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::string Endpoint::to_string() const {
  if (host.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", host, port);
  }
  return fmt::format("{}:{}", host, port);
}

Result<Endpoint> parse_endpoint(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return bad_endpoint(text, "'[' without ']'");
    }
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return bad_endpoint(text, "no ':port' after ']'");
    }
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad_endpoint(text, "no port");
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return bad_endpoint(text, "an IPv6 host needs brackets");
    }
    port_text = text.substr(colon + 1);
  }
  if (host.empty()) return bad_endpoint(text, "empty host");
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() ||
      port_text.empty()) {
    return bad_endpoint(text, "port is not a number");
  }
  if (port < 1 || port > 65535) return bad_endpoint(text, "port out of range");
  return Endpoint{std::string(host), static_cast<uint16_t>(port)};
}

std::vector<std::string> split_endpoint_list(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace quokka::client
