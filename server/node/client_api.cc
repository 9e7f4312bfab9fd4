#include "server/node/client_api.h"

namespace quokka::node {

std::string_view request_name(const ClientRequest& request) {
  struct Name {
    std::string_view operator()(const PutRequest&) const { return "put"; }
    std::string_view operator()(const GetRequest&) const { return "get"; }
    std::string_view operator()(const DeleteRequest&) const { return "delete"; }
    std::string_view operator()(const CompareAndSwapRequest&) const { return "cas"; }
    std::string_view operator()(const RangeRequest&) const { return "range"; }
  };
  return std::visit(Name{}, request);
}

bool is_write(const ClientRequest& request) {
  return std::holds_alternative<PutRequest>(request) ||
         std::holds_alternative<DeleteRequest>(request) ||
         std::holds_alternative<CompareAndSwapRequest>(request);
}

uint64_t request_bytes(const ClientRequest& request) {
  struct Bytes {
    uint64_t operator()(const PutRequest& r) const { return r.key.size() + r.value.size(); }
    uint64_t operator()(const GetRequest& r) const { return r.key.size(); }
    uint64_t operator()(const DeleteRequest& r) const { return r.key.size(); }
    uint64_t operator()(const CompareAndSwapRequest& r) const {
      return r.key.size() + r.value.size();
    }
    uint64_t operator()(const RangeRequest& r) const {
      return r.start.size() + r.end.size() + r.continuation.size();
    }
  };
  return std::visit(Bytes{}, request);
}

}  // namespace quokka::node
