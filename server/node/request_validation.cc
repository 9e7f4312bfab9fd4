#include "server/node/request_validation.h"

#include <fmt/format.h>

namespace quokka::node {
namespace {

Status check_key(std::string_view key, const NodeLimits& limits) {
  if (key.empty()) return Status(ErrorCode::kInvalidArgument, "the key is empty");
  if (key.size() > limits.key_bytes_max) {
    return Status(ErrorCode::kTooLarge,
                  fmt::format("key of {} bytes exceeds key_bytes_max = {}", key.size(),
                              limits.key_bytes_max));
  }
  return Status::ok();
}

Status check_value(std::string_view value, const NodeLimits& limits) {
  if (value.size() > limits.value_bytes_max) {
    return Status(ErrorCode::kTooLarge,
                  fmt::format("value of {} bytes exceeds value_bytes_max = {}",
                              value.size(), limits.value_bytes_max));
  }
  return Status::ok();
}

Status check_identity(const WriteIdentity& id) {
  if (id.client_id == 0) {
    return Status(ErrorCode::kInvalidArgument, "a write needs a client id other than 0");
  }
  if (id.seq == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "a write needs a sequence number; they start at 1");
  }
  return Status::ok();
}

struct Validator {
  const NodeLimits& limits;

  Status operator()(const PutRequest& r) const {
    if (Status s = check_key(r.key, limits); !s.is_ok()) return s;
    if (Status s = check_value(r.value, limits); !s.is_ok()) return s;
    return check_identity(r.id);
  }
  Status operator()(const GetRequest& r) const { return check_key(r.key, limits); }
  Status operator()(const DeleteRequest& r) const {
    if (Status s = check_key(r.key, limits); !s.is_ok()) return s;
    return check_identity(r.id);
  }
  Status operator()(const CompareAndSwapRequest& r) const {
    if (Status s = check_key(r.key, limits); !s.is_ok()) return s;
    if (Status s = check_value(r.value, limits); !s.is_ok()) return s;
    return check_identity(r.id);
  }
  Status operator()(const RangeRequest& r) const {
    if (r.start.size() > limits.key_bytes_max || r.end.size() > limits.key_bytes_max) {
      return Status(ErrorCode::kTooLarge,
                    fmt::format("range bound of {} bytes exceeds key_bytes_max = {}",
                                std::max(r.start.size(), r.end.size()),
                                limits.key_bytes_max));
    }
    if (r.limit > limits.range_keys_max) {
      return Status(ErrorCode::kTooLarge,
                    fmt::format("range limit {} exceeds range_keys_max = {}", r.limit,
                                limits.range_keys_max));
    }
    if (!r.prefix && !r.end.empty() && r.end <= r.start) {
      return Status(ErrorCode::kInvalidArgument,
                    "range end must be after its start (or empty for no end)");
    }
    return Status::ok();
  }
};

}  // namespace

Status validate_request(const ClientRequest& request, const NodeLimits& limits) {
  return std::visit(Validator{limits}, request);
}

}  // namespace quokka::node
