#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "client/ctl/commands.h"

namespace quokka::client::ctl {
namespace {

struct RangeArguments {
  std::string prefix;
  uint32_t limit = 0;
  std::string from;
  bool stale = false;
  bool keys_only = false;
};

int run_range(const CommandContext& context, const RangeArguments& arguments) {
  std::unique_ptr<Client> client = context.connect();
  if (!client) return kExitUsage;
  RangeOptions options;
  options.limit = arguments.limit;
  options.continuation_key = arguments.from;
  options.consistency = arguments.stale ? Consistency::kStale : Consistency::kLinearizable;
  options.keys_only = arguments.keys_only;
  ClientResult<RangeResult> result =
      client->range(KeyRange::prefix(arguments.prefix), options);
  if (!result) return report_error(result.error());
  const RangeResult& page = *result;
  switch (context.format()) {
    case OutputFormat::kSimple:
      for (const KeyValue& kv : page.kvs) {
        std::cout << kv.key << "\n";
        if (!arguments.keys_only) std::cout << kv.value << "\n";
      }
      break;
    case OutputFormat::kJson: {
      std::cout << fmt::format("{{\"header\":{},\"count\":{},\"kvs\":[",
                               json_header(page.header), page.kvs.size());
      for (size_t i = 0; i < page.kvs.size(); ++i) {
        if (i > 0) std::cout << ",";
        std::cout << json_key_value(page.kvs[i], !arguments.keys_only);
      }
      std::cout << fmt::format("],\"more\":{}", page.more ? "true" : "false");
      if (page.more) {
        std::cout << "," << json_bytes_field("continuation_key", page.continuation_key);
      }
      std::cout << "}\n";
      break;
    }
    case OutputFormat::kTable: {
      TextTable table({"KEY", "VALUE", "MOD REVISION", "VERSION", "VALUE SIZE"});
      for (const KeyValue& kv : page.kvs) {
        table.add_row({printable(kv.key), arguments.keys_only ? "" : printable(kv.value),
                       std::to_string(kv.mod_revision.value()),
                       std::to_string(kv.version), std::to_string(kv.value_size)});
      }
      table.print(std::cout);
      break;
    }
  }
  if (page.more && context.format() != OutputFormat::kJson) {
    // On stderr, so stdout stays exactly the keys and values.
    std::cerr << fmt::format("more keys follow; continue with --from {}\n",
                             printable(page.continuation_key));
  }
  return kExitOk;
}

}  // namespace

void add_range_command(CLI::App& app, CommandContext& context) {
  auto arguments = std::make_shared<RangeArguments>();
  CLI::App* command = app.add_subcommand(
      "range", "list keys with a prefix, one page at a time, in key order");
  command->add_option("PREFIX", arguments->prefix,
                      "the key prefix; empty or omitted lists every key");
  command->add_option("--limit", arguments->limit,
                      "keys per page; 0 = the node's page limit");
  command->add_option("--from", arguments->from,
                      "start at this key (the continuation key of the previous page)");
  command->add_flag("--stale", arguments->stale,
                    "read the answering node's applied state (may lag)");
  command->add_flag("--keys-only", arguments->keys_only, "print keys without values");
  command->callback(
      [&context, arguments] { context.exit_status = run_range(context, *arguments); });
}

}  // namespace quokka::client::ctl
