#include "storage/node_record_table.h"

#include <fmt/format.h>

namespace quokka {

Status check_node_record_name(std::string_view name) {
  if (!name.empty() && name.size() <= kNodeRecordNameBytesMax) {
    return Status::ok();
  }
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("a node record name must be 1 to {} bytes, got {} "
                            "bytes",
                            kNodeRecordNameBytesMax, name.size()));
}

}  // namespace quokka
