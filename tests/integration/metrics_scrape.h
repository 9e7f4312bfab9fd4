#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace quokka::integration {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// One HTTP/1.0 GET of `target` ("/metrics", "/api/v1/query?query=up") from
// "127.0.0.1:PORT" over a plain socket, bounded by `timeout` as a whole.
// Nothing when the connection fails, times out or the answer is not HTTP;
// `error` (if given) then says why.
std::optional<HttpResponse> http_get(const std::string& endpoint, const std::string& target,
                                     std::chrono::milliseconds timeout,
                                     std::string* error = nullptr);

// Percent-encodes a URL query value (RFC 3986 unreserved characters stay).
std::string url_encode(std::string_view text);

// One sample of the Prometheus text exposition format.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Every sample of `name` in `exposition` whose labels include all of
// `labels`.
std::vector<Sample> samples_of(std::string_view exposition, std::string_view name,
                               const std::map<std::string, std::string>& labels = {});

// The sum of those samples' values; nothing when no sample matches.
std::optional<double> sample_sum(std::string_view exposition, std::string_view name,
                                 const std::map<std::string, std::string>& labels = {});

// The values label `label` takes over the samples of `name`.
std::set<std::string> label_values(std::string_view exposition, std::string_view name,
                                   std::string_view label);

}  // namespace quokka::integration
