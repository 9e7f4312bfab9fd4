#pragma once

// The quantiles the probes report, as JSON fields: "p0_us":..,"p50_us":..,
// "p99_us":..,"p100_us":.. over every sample (microseconds).

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace quokka::probe {

inline std::string quantile_fields(std::vector<double> microseconds) {
  if (microseconds.empty()) return R"("p0_us":null,"p50_us":null,"p99_us":null,"p100_us":null)";
  std::sort(microseconds.begin(), microseconds.end());
  auto at = [&](double q) {
    return microseconds[std::min(microseconds.size() - 1,
                                 static_cast<size_t>(q * static_cast<double>(microseconds.size())))];
  };
  return fmt::format(R"("p0_us":{:.1f},"p50_us":{:.1f},"p99_us":{:.1f},"p100_us":{:.1f})",
                     microseconds.front(), at(0.5), at(0.99), microseconds.back());
}

}  // namespace quokka::probe
