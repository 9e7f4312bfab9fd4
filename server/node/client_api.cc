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

}  // namespace quokka::node
