#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace quokka {

// Where each configured value came from: "node1.toml:12:1" for a file,
// "--set" for a command-line override. Fields left at their default have no
// entry. Cross-field checks run after every source has been applied, and use
// this to point at the lines that disagree.
class ConfigOrigins {
 public:
  // `path` is a field's dotted path, e.g. "limits.value_bytes_max" or
  // "cluster.members[1].id".
  void record(std::string path, std::string origin);
  // Drops every entry whose path starts with `prefix`; used when a whole
  // list is replaced.
  void forget_prefix(std::string_view prefix);
  // Empty when the value is a default.
  std::string_view of(std::string_view path) const;

  // Where a value came from is not part of the configuration's value: two
  // configurations with the same settings are equal wherever they were read.
  friend bool operator==(const ConfigOrigins&, const ConfigOrigins&) {
    return true;
  }

 private:
  std::map<std::string, std::string, std::less<>> origins_;
};

}  // namespace quokka
