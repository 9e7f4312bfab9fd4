#pragma once

#include <cstdint>
#include <iostream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "client/client_results.h"

namespace quokka::client::ctl {

enum class OutputFormat : uint8_t {
  // Values as they are, one item per line, for scripts (binary-safe).
  kSimple,
  // An aligned text table, for people.
  kTable,
  // One JSON object per command, for programs.
  kJson,
};

// A JSON string literal for `bytes`: escaped text when the bytes are valid
// UTF-8, else null (the caller adds a base64 field next to it).
std::string json_string(std::string_view text);
bool is_valid_utf8(std::string_view bytes);
std::string base64(std::string_view bytes);
std::string hex(std::string_view bytes);

// `"name":"text"` when the bytes are UTF-8, else `"name_base64":"..."`.
std::string json_bytes_field(std::string_view name, std::string_view bytes);
// {"revision":..,"raft_term":..,"node_id":..,"endpoint":".."}
std::string json_header(const ResponseHeader& header);
// {"key":..,"value":..,"create_revision":..,...}
std::string json_key_value(const KeyValue& kv, bool with_value);

// An aligned table with a header row, rendered with +---+ borders.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> columns);
  void add_row(std::vector<std::string> cells);
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Bytes for a table cell: as they are when printable, else "0x" + hex.
std::string printable(std::string_view bytes);

// Prints a successful write (put, cas): "OK", the record as JSON, or a
// one-row table.
void print_written(OutputFormat format, const ResponseHeader& header,
                   const KeyValue& kv);

// "4.0 KiB"-style sizes for tables.
std::string human_bytes(uint64_t bytes);

}  // namespace quokka::client::ctl
