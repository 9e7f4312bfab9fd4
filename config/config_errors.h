#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace quokka {

// Collects the problems found while reading or checking a configuration,
// one line each, so that an operator can fix them all in one go.
class ConfigErrors {
 public:
  void add(std::string line) { lines_.push_back(std::move(line)); }
  bool empty() const { return lines_.empty(); }
  size_t size() const { return lines_.size(); }

  // INVALID_ARGUMENT with the lines joined by '\n'; OK when there are none.
  Status to_status() const;

 private:
  std::vector<std::string> lines_;
};

}  // namespace quokka
