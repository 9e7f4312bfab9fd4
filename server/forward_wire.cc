#include "server/forward_wire.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "proto/error_code_conversion.h"
#include "proto/peer.pb.h"
#include "server/client_wire.h"

namespace quokka::server {
namespace {

Status malformed(std::string_view what) {
  return Status(ErrorCode::kInvalidArgument, fmt::format("peer message: {}", what));
}

void fill_request_header(const node::WriteIdentity& id, uint64_t deadline_ms,
                         proto::RequestHeader& out) {
  out.set_client_id(id.client_id);
  out.set_sequence(id.seq);
  out.set_deadline_ms(static_cast<uint32_t>(
      std::min<uint64_t>(deadline_ms, std::numeric_limits<uint32_t>::max())));
}

template <typename Response>
node::ClientResponse response_from_wire(const Response& wire) {
  node::ClientResponse response;
  response.header = node::ResponseHeader{Revision(wire.header().revision()),
                                         Term(wire.header().raft_term()),
                                         NodeId(wire.header().node_id())};
  if (wire.has_error() && wire.error().code() != proto::OK) {
    const proto::Error& error = wire.error();
    std::optional<ErrorCode> code = proto::from_wire_error_code(error.code());
    if (code) {
      response.status = Status(*code, error.message());
      response.indeterminate = !error.definite();
    } else {
      response.status = Status(ErrorCode::kTimeout,
                               fmt::format("the leader answered with error code {}, which "
                                           "this node does not know ({}); the write may "
                                           "have applied",
                                           static_cast<int>(error.code()), error.message()));
      response.indeterminate = true;
    }
    if (error.has_leader_hint()) response.leader_hint = NodeId(error.leader_hint().node_id());
  }
  return response;
}

std::optional<node::KeyValue> kv_from_wire(bool present, const proto::KeyValue& wire) {
  if (!present) return std::nullopt;
  return node::KeyValue{wire.key(), wire.value(), Revision(wire.create_revision()),
                        Revision(wire.mod_revision()), wire.version()};
}

}  // namespace

std::string encode_forward_request(const node::ForwardedWrite& forwarded) {
  proto::ForwardRequest wire;
  wire.set_forward_id(forwarded.forward_id);
  wire.set_incarnation(forwarded.incarnation);
  if (const auto* put = std::get_if<node::PutRequest>(&forwarded.request)) {
    proto::PutRequest* out = wire.mutable_put_request();
    fill_request_header(put->id, forwarded.deadline_ms, *out->mutable_header());
    out->set_key(put->key);
    out->set_value(put->value);
  } else if (const auto* del = std::get_if<node::DeleteRequest>(&forwarded.request)) {
    proto::DeleteRequest* out = wire.mutable_delete_request();
    fill_request_header(del->id, forwarded.deadline_ms, *out->mutable_header());
    out->set_key(del->key);
  } else if (const auto* cas = std::get_if<node::CompareAndSwapRequest>(&forwarded.request)) {
    proto::CompareAndSwapRequest* out = wire.mutable_compare_and_swap_request();
    fill_request_header(cas->id, forwarded.deadline_ms, *out->mutable_header());
    out->set_key(cas->key);
    out->set_expected_mod_revision(cas->expected_mod_revision.value());
    out->set_value(cas->value);
  }
  // Reads are never forwarded; a request without one is refused on
  // arrival as "carries no write".
  return wire.SerializeAsString();
}

Result<node::ForwardedWrite> decode_forward_request(std::string_view payload) {
  proto::ForwardRequest wire;
  if (!wire.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return malformed("ForwardRequest does not parse");
  }
  node::ForwardedWrite forwarded;
  forwarded.forward_id = wire.forward_id();
  forwarded.incarnation = wire.incarnation();
  const proto::RequestHeader* header = nullptr;
  switch (wire.request_case()) {
    case proto::ForwardRequest::kPutRequest:
      header = &wire.put_request().header();
      forwarded.request = write_request_from_wire(std::move(*wire.mutable_put_request()));
      break;
    case proto::ForwardRequest::kDeleteRequest:
      forwarded.request = write_request_from_wire(wire.delete_request());
      header = &wire.delete_request().header();
      break;
    case proto::ForwardRequest::kCompareAndSwapRequest:
      header = &wire.compare_and_swap_request().header();
      forwarded.request =
          write_request_from_wire(std::move(*wire.mutable_compare_and_swap_request()));
      break;
    case proto::ForwardRequest::REQUEST_NOT_SET:
      return malformed("ForwardRequest carries no write");
  }
  forwarded.deadline_ms = header->deadline_ms();
  return forwarded;
}

std::string encode_forward_response(const node::ForwardedWriteAnswer& answer) {
  proto::ForwardResponse wire;
  wire.set_forward_id(answer.forward_id);
  wire.set_incarnation(answer.incarnation);
  switch (answer.type) {
    case node::CommandType::kPut:
      fill_write_response(answer.response, "", *wire.mutable_put_response());
      break;
    case node::CommandType::kDelete:
      fill_write_response(answer.response, "", *wire.mutable_delete_response());
      break;
    case node::CommandType::kCompareAndSwap:
      fill_write_response(answer.response, "", *wire.mutable_compare_and_swap_response());
      break;
  }
  return wire.SerializeAsString();
}

Result<node::ForwardedWriteAnswer> decode_forward_response(std::string_view payload) {
  proto::ForwardResponse wire;
  if (!wire.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return malformed("ForwardResponse does not parse");
  }
  node::ForwardedWriteAnswer answer;
  answer.forward_id = wire.forward_id();
  answer.incarnation = wire.incarnation();
  switch (wire.response_case()) {
    case proto::ForwardResponse::kPutResponse:
      answer.type = node::CommandType::kPut;
      answer.response = response_from_wire(wire.put_response());
      answer.response.kv = kv_from_wire(wire.put_response().has_kv(), wire.put_response().kv());
      break;
    case proto::ForwardResponse::kDeleteResponse:
      answer.type = node::CommandType::kDelete;
      answer.response = response_from_wire(wire.delete_response());
      answer.response.deleted = wire.delete_response().existed();
      break;
    case proto::ForwardResponse::kCompareAndSwapResponse: {
      const proto::CompareAndSwapResponse& cas = wire.compare_and_swap_response();
      answer.type = node::CommandType::kCompareAndSwap;
      answer.response = response_from_wire(cas);
      answer.response.kv = kv_from_wire(cas.has_kv(), cas.kv());
      answer.response.current_mod_revision = Revision(cas.actual_mod_revision());
      break;
    }
    case proto::ForwardResponse::RESPONSE_NOT_SET:
      return malformed("ForwardResponse carries no answer");
  }
  return answer;
}

}  // namespace quokka::server
