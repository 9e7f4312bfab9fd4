#include "tests/integration/metrics_scrape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace quokka::integration {
namespace {

// Closes the descriptor when it goes out of scope.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

// Waits for `events` until the deadline; false on timeout or error.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, remaining_ms(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::optional<HttpResponse> fail(std::string* error, std::string why) {
  if (error) *error = std::move(why);
  return std::nullopt;
}

// Parses "HTTP/1.x CODE REASON\r\n...headers...\r\n\r\nBODY" (the server
// closes the connection after the body, so the body is the rest).
std::optional<HttpResponse> parse_response(const std::string& raw, std::string* error) {
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) {
    return fail(error, fmt::format("not an HTTP response: \"{}\"", raw.substr(0, 80)));
  }
  const size_t space = raw.find(' ');
  HttpResponse response;
  response.status = std::atoi(raw.c_str() + space + 1);
  response.body = raw.substr(head_end + 4);
  return response;
}

// Parses one exposition line "name{a="x",b="y"} value [timestamp]".
std::optional<Sample> parse_sample(std::string_view line) {
  Sample sample;
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  sample.name = std::string(line.substr(0, i));
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const size_t equals = line.find('=', i);
      if (equals == std::string_view::npos || equals + 1 >= line.size() ||
          line[equals + 1] != '"') {
        return std::nullopt;
      }
      std::string key(line.substr(i, equals - i));
      std::string value;
      i = equals + 2;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) {
          ++i;
          value.push_back(line[i] == 'n' ? '\n' : line[i]);
        } else {
          value.push_back(line[i]);
        }
        ++i;
      }
      if (i >= line.size()) return std::nullopt;
      ++i;  // the closing quote
      if (i < line.size() && line[i] == ',') ++i;
      sample.labels.emplace(std::move(key), std::move(value));
    }
    if (i >= line.size()) return std::nullopt;
    ++i;  // '}'
  }
  while (i < line.size() && line[i] == ' ') ++i;
  const size_t end = line.find(' ', i);
  const std::string value(line.substr(i, end == std::string_view::npos ? end : end - i));
  if (value.empty()) return std::nullopt;
  char* parsed_end = nullptr;
  // strtod reads "NaN", "+Inf" and "-Inf" as the format writes them.
  sample.value = std::strtod(value.c_str(), &parsed_end);
  if (parsed_end != value.c_str() + value.size()) return std::nullopt;
  return sample;
}

}  // namespace

std::optional<HttpResponse> http_get(const std::string& endpoint, const std::string& target,
                                     std::chrono::milliseconds timeout, std::string* error) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos) return fail(error, "no port in " + endpoint);
  const std::string host = endpoint.substr(0, colon);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(std::atoi(endpoint.c_str() + colon + 1)));
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return fail(error, "not an IPv4 address: " + host);
  }
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (socket.fd() < 0) return fail(error, fmt::format("socket: {}", std::strerror(errno)));
  if (::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    if (errno != EINPROGRESS) {
      return fail(error, fmt::format("connect to {}: {}", endpoint, std::strerror(errno)));
    }
    if (!wait_for(socket.fd(), POLLOUT, deadline)) {
      return fail(error, "connect to " + endpoint + " timed out");
    }
    int socket_error = 0;
    socklen_t length = sizeof(socket_error);
    ::getsockopt(socket.fd(), SOL_SOCKET, SO_ERROR, &socket_error, &length);
    if (socket_error != 0) {
      return fail(error, fmt::format("connect to {}: {}", endpoint, std::strerror(socket_error)));
    }
  }
  const std::string request = fmt::format(
      "GET {} HTTP/1.0\r\nHost: {}\r\nConnection: close\r\n\r\n", target, endpoint);
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n =
        ::send(socket.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(socket.fd(), POLLOUT, deadline)) {
        return fail(error, "sending to " + endpoint + " timed out");
      }
    } else {
      return fail(error, fmt::format("send to {}: {}", endpoint, std::strerror(errno)));
    }
  }
  std::string raw;
  char buffer[16384];
  while (true) {
    const ssize_t n = ::recv(socket.fd(), buffer, sizeof(buffer), 0);
    if (n > 0) {
      raw.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      return parse_response(raw, error);
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!wait_for(socket.fd(), POLLIN, deadline)) {
        return fail(error, fmt::format("no complete answer from {}{} in time", endpoint, target));
      }
    } else {
      return fail(error, fmt::format("recv from {}: {}", endpoint, std::strerror(errno)));
    }
  }
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

std::vector<Sample> samples_of(std::string_view exposition, std::string_view name,
                               const std::map<std::string, std::string>& labels) {
  std::vector<Sample> found;
  while (!exposition.empty()) {
    const size_t newline = exposition.find('\n');
    const std::string_view line = exposition.substr(0, newline);
    exposition = newline == std::string_view::npos ? std::string_view()
                                                    : exposition.substr(newline + 1);
    if (line.empty() || line[0] == '#' || line.substr(0, name.size()) != name) continue;
    std::optional<Sample> sample = parse_sample(line);
    if (!sample || sample->name != name) continue;
    bool matches = true;
    for (const auto& [key, value] : labels) {
      auto it = sample->labels.find(key);
      if (it == sample->labels.end() || it->second != value) matches = false;
    }
    if (matches) found.push_back(std::move(*sample));
  }
  return found;
}

std::optional<double> sample_sum(std::string_view exposition, std::string_view name,
                                 const std::map<std::string, std::string>& labels) {
  const std::vector<Sample> found = samples_of(exposition, name, labels);
  if (found.empty()) return std::nullopt;
  double sum = 0;
  for (const Sample& sample : found) sum += sample.value;
  return sum;
}

std::set<std::string> label_values(std::string_view exposition, std::string_view name,
                                   std::string_view label) {
  std::set<std::string> values;
  for (const Sample& sample : samples_of(exposition, name)) {
    auto it = sample.labels.find(std::string(label));
    if (it != sample.labels.end()) values.insert(it->second);
  }
  return values;
}

}  // namespace quokka::integration
