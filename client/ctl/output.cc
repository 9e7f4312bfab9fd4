#include "client/ctl/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace quokka::client::ctl {

bool is_valid_utf8(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    size_t length = 0;
    uint32_t code_point = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return false;
    }
    if (i + length > bytes.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(bytes[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::array<uint32_t, 5> kSmallest{0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallest[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20) {
          out += fmt::format("\\u{:04x}", byte);
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t group = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                           (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                           uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += kAlphabet[(group >> 6) & 63];
    out += kAlphabet[group & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) group |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += kAlphabet[(group >> 18) & 63];
    out += kAlphabet[(group >> 12) & 63];
    out += rest == 2 ? kAlphabet[(group >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return out;
}

std::string json_bytes_field(std::string_view name, std::string_view bytes) {
  if (is_valid_utf8(bytes)) return fmt::format("\"{}\":{}", name, json_string(bytes));
  return fmt::format("\"{}_base64\":\"{}\"", name, base64(bytes));
}

std::string json_header(const ResponseHeader& header) {
  return fmt::format(
      "{{\"revision\":{},\"raft_term\":{},\"node_id\":{},\"endpoint\":{}}}",
      header.revision.value(), header.term.value(), header.node.value(),
      json_string(header.endpoint));
}

std::string json_key_value(const KeyValue& kv, bool with_value) {
  std::string out = "{" + json_bytes_field("key", kv.key);
  if (with_value) out += "," + json_bytes_field("value", kv.value);
  out += fmt::format(
      ",\"create_revision\":{},\"mod_revision\":{},\"version\":{},"
      "\"value_size\":{},\"value_sha256\":\"{}\"}}",
      kv.create_revision.value(), kv.mod_revision.value(), kv.version, kv.value_size,
      hex(kv.value_hash));
  return out;
}

TextTable::TextTable(std::vector<std::string> columns) : columns_(std::move(columns)) {}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

void TextTable::print(std::ostream& out) const {
  std::vector<size_t> widths;
  for (const std::string& column : columns_) widths.push_back(column.size());
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string border = "+";
  for (const size_t width : widths) border += std::string(width + 2, '-') + "+";
  const auto print_row = [&](const std::vector<std::string>& cells) {
    out << "|";
    for (size_t i = 0; i < cells.size(); ++i) {
      out << " " << cells[i] << std::string(widths[i] - cells[i].size(), ' ') << " |";
    }
    out << "\n";
  };
  out << border << "\n";
  print_row(columns_);
  out << border << "\n";
  for (const auto& row : rows_) print_row(row);
  out << border << "\n";
}

std::string printable(std::string_view bytes) {
  const bool plain = std::all_of(bytes.begin(), bytes.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7F;
  });
  return plain ? std::string(bytes) : "0x" + hex(bytes);
}

void print_written(OutputFormat format, const ResponseHeader& header,
                   const KeyValue& kv) {
  switch (format) {
    case OutputFormat::kSimple:
      std::cout << "OK\n";
      break;
    case OutputFormat::kJson:
      std::cout << fmt::format("{{\"header\":{},\"kv\":{}}}\n", json_header(header),
                               json_key_value(kv, /*with_value=*/false));
      break;
    case OutputFormat::kTable: {
      TextTable table({"KEY", "MOD REVISION", "VERSION", "VALUE SIZE", "NODE"});
      table.add_row({printable(kv.key), std::to_string(kv.mod_revision.value()),
                     std::to_string(kv.version), std::to_string(kv.value_size),
                     std::to_string(header.node.value())});
      table.print(std::cout);
      break;
    }
  }
}

std::string human_bytes(uint64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits{"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  if (unit == 0) return fmt::format("{} B", bytes);
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

}  // namespace quokka::client::ctl
