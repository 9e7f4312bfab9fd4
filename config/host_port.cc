#include "config/host_port.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace quokka {
namespace {

Status invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

bool is_ipv4(const std::string& host) {
  in_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1;
}

bool is_ipv6(const std::string& host) {
  in6_addr address{};
  return inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

// RFC 1123 host name: dot-separated labels of letters, digits and hyphens,
// no label starting or ending with a hyphen.
Status check_dns_name(std::string_view host) {
  if (host.size() > 253) {
    return invalid(fmt::format("host name is {} characters long; at most 253 allowed",
                               host.size()));
  }
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot == std::string_view::npos
                                                    ? std::string_view::npos
                                                    : dot - start);
    if (label.empty()) return invalid("host name has an empty label");
    if (label.size() > 63) {
      return invalid(fmt::format("host name label '{}' is longer than 63 characters", label));
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return invalid(fmt::format("host name contains '{}'", c));
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return invalid(fmt::format("host name label '{}' starts or ends with '-'", label));
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return Status::ok();
}

Status check_host(const std::string& host) {
  if (host.empty()) return invalid("the host is missing");
  bool looks_numeric = std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
  if (looks_numeric) {
    if (is_ipv4(host)) return Status::ok();
    return invalid(fmt::format("'{}' is not a valid IPv4 address", host));
  }
  return check_dns_name(host);
}

}  // namespace

bool HostPort::is_wildcard() const {
  return host == "0.0.0.0" || host == "::";
}

std::string HostPort::to_string() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

Result<HostPort> parse_host_port(std::string_view text) {
  HostPort result;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return invalid("'[' without a closing ']'");
    result.host = std::string(text.substr(1, close - 1));
    if (!is_ipv6(result.host)) {
      return invalid(fmt::format("'{}' is not a valid IPv6 address", result.host));
    }
    std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') return invalid("the ':port' is missing");
    port_text = rest.substr(1);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return invalid("the ':port' is missing");
    result.host = std::string(text.substr(0, colon));
    if (result.host.find(':') != std::string::npos) {
      return invalid("an IPv6 address must be in brackets, e.g. [::1]:7101");
    }
    if (Status status = check_host(result.host); !status.is_ok()) return status;
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty()) return invalid("the port is missing");
  uint32_t port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error == std::errc::result_out_of_range) {
    return invalid(fmt::format("port {} is out of range 1..65535", port_text));
  }
  if (error != std::errc() || end != port_text.data() + port_text.size()) {
    return invalid(fmt::format("port '{}' is not a number", port_text));
  }
  if (port < 1 || port > 65535) {
    return invalid(fmt::format("port {} is out of range 1..65535", port));
  }
  result.port = static_cast<uint16_t>(port);
  return result;
}

}  // namespace quokka
