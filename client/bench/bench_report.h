#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "client/bench/load_generator.h"

namespace quokka::client::bench {

// One progress line: seconds since the start, the phase, requests finished
// per second over the last interval, errors in it and errors so far.
std::string format_progress_line(std::chrono::nanoseconds since_start,
                                 bool measuring, double operations_per_second,
                                 uint64_t interval_errors, uint64_t total_errors);

// The final table, several lines, for people.
std::string format_report_table(const RunResult& result);

// The same figures as one JSON object on one line (no newline). Latencies
// in microseconds, times in seconds.
std::string format_report_json(const RunResult& result);

// Requests per second over the window.
double throughput(const RunResult& result);

}  // namespace quokka::client::bench
