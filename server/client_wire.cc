#include "server/client_wire.h"

#include <fmt/format.h>

#include "proto/client.pb.h"
#include "proto/error_code_conversion.h"

namespace quokka::server {
namespace {

node::WriteIdentity identity(const proto::RequestHeader& header) {
  return node::WriteIdentity{header.client_id(), header.sequence()};
}

node::ReadConsistency consistency(proto::Consistency wire) {
  return wire == proto::CONSISTENCY_STALE ? node::ReadConsistency::kStale
                                          : node::ReadConsistency::kLinearizable;
}

template <typename Message>
Result<Message> parse(const proto::Envelope& envelope, std::string_view name) {
  Message message;
  if (!message.ParseFromString(envelope.payload())) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("{} does not parse", name));
  }
  return message;
}

void fill_header(const node::ResponseHeader& header, proto::ResponseHeader& out) {
  out.set_revision(header.revision.value());
  out.set_raft_term(header.term.value());
  out.set_node_id(header.node.value());
}

void fill_kv(const node::KeyValue& kv, proto::KeyValue& out) {
  out.set_key(kv.key);
  out.set_value(kv.value);
  out.set_create_revision(kv.create_revision.value());
  out.set_mod_revision(kv.mod_revision.value());
  out.set_version(kv.version);
  out.set_value_size(kv.value.size());
}

template <typename Response>
void fill_common(Response& wire, const node::ClientResponse& response,
                 std::string_view leader_address) {
  fill_header(response.header, *wire.mutable_header());
  if (response.status.is_ok() && response.leader_hint != NodeId(0)) {
    proto::LeaderHint* hint = wire.mutable_header()->mutable_leader_hint();
    hint->set_node_id(response.leader_hint.value());
    hint->set_client_address(std::string(leader_address));
  }
  if (!response.status.is_ok()) {
    fill_error(response.status, response.indeterminate, *wire.mutable_error());
    if (response.leader_hint != NodeId(0)) {
      proto::LeaderHint* hint = wire.mutable_error()->mutable_leader_hint();
      hint->set_node_id(response.leader_hint.value());
      hint->set_client_address(std::string(leader_address));
    }
  }
}

template <typename Response>
std::string finish(Response& wire, const node::ClientResponse& response,
                   std::string_view leader_address) {
  fill_common(wire, response, leader_address);
  return wire.SerializeAsString();
}

}  // namespace

node::ClientRequest write_request_from_wire(proto::PutRequest&& wire) {
  return node::PutRequest{std::move(*wire.mutable_key()), std::move(*wire.mutable_value()),
                          identity(wire.header())};
}

node::ClientRequest write_request_from_wire(const proto::DeleteRequest& wire) {
  return node::DeleteRequest{wire.key(), identity(wire.header())};
}

node::ClientRequest write_request_from_wire(proto::CompareAndSwapRequest&& wire) {
  return node::CompareAndSwapRequest{std::move(*wire.mutable_key()),
                                     Revision(wire.expected_mod_revision()),
                                     std::move(*wire.mutable_value()), identity(wire.header())};
}

void fill_write_response(const node::ClientResponse& response, std::string_view leader_address,
                         proto::PutResponse& wire) {
  if (response.kv) fill_kv(*response.kv, *wire.mutable_kv());
  fill_common(wire, response, leader_address);
}

void fill_write_response(const node::ClientResponse& response, std::string_view leader_address,
                         proto::DeleteResponse& wire) {
  wire.set_existed(response.deleted);
  fill_common(wire, response, leader_address);
}

void fill_write_response(const node::ClientResponse& response, std::string_view leader_address,
                         proto::CompareAndSwapResponse& wire) {
  if (response.kv) fill_kv(*response.kv, *wire.mutable_kv());
  wire.set_actual_mod_revision(response.current_mod_revision.value());
  fill_common(wire, response, leader_address);
}

void fill_error(const Status& status, bool indeterminate, proto::Error& error) {
  error.set_code(proto::to_wire_error_code(status.code()));
  error.set_message(status.message());
  error.set_definite(!indeterminate);
}

Result<ClientCall> decode_client_request(const proto::Envelope& envelope) {
  ClientCall call;
  switch (envelope.kind()) {
    case proto::MESSAGE_KIND_PUT_REQUEST: {
      Result<proto::PutRequest> r = parse<proto::PutRequest>(envelope, "PutRequest");
      if (!r.is_ok()) return r.status();
      call.deadline_ms = r->header().deadline_ms();
      call.request = write_request_from_wire(std::move(*r));
      call.response_kind = proto::MESSAGE_KIND_PUT_RESPONSE;
      return call;
    }
    case proto::MESSAGE_KIND_GET_REQUEST: {
      Result<proto::GetRequest> r = parse<proto::GetRequest>(envelope, "GetRequest");
      if (!r.is_ok()) return r.status();
      call.request = node::GetRequest{r->key(), consistency(r->consistency()),
                                      Revision(r->min_revision())};
      call.deadline_ms = r->header().deadline_ms();
      call.response_kind = proto::MESSAGE_KIND_GET_RESPONSE;
      return call;
    }
    case proto::MESSAGE_KIND_DELETE_REQUEST: {
      Result<proto::DeleteRequest> r = parse<proto::DeleteRequest>(envelope, "DeleteRequest");
      if (!r.is_ok()) return r.status();
      call.request = write_request_from_wire(*r);
      call.deadline_ms = r->header().deadline_ms();
      call.response_kind = proto::MESSAGE_KIND_DELETE_RESPONSE;
      return call;
    }
    case proto::MESSAGE_KIND_COMPARE_AND_SWAP_REQUEST: {
      Result<proto::CompareAndSwapRequest> r =
          parse<proto::CompareAndSwapRequest>(envelope, "CompareAndSwapRequest");
      if (!r.is_ok()) return r.status();
      call.deadline_ms = r->header().deadline_ms();
      call.request = write_request_from_wire(std::move(*r));
      call.response_kind = proto::MESSAGE_KIND_COMPARE_AND_SWAP_RESPONSE;
      return call;
    }
    case proto::MESSAGE_KIND_RANGE_REQUEST: {
      Result<proto::RangeRequest> r = parse<proto::RangeRequest>(envelope, "RangeRequest");
      if (!r.is_ok()) return r.status();
      node::RangeRequest range;
      if (r->has_interval()) {
        range.start = r->interval().start();
        range.end = r->interval().end();
      } else {
        range.start = r->prefix();
        range.prefix = true;
      }
      range.limit = r->limit();
      range.consistency = consistency(r->consistency());
      if (!r->continuation_key().empty()) {
        if (range.prefix && !r->continuation_key().starts_with(range.start)) {
          return Status(ErrorCode::kInvalidArgument,
                        "the continuation key is outside the requested prefix");
        }
        range.continuation = r->continuation_key();
      }
      call.request = std::move(range);
      call.deadline_ms = r->header().deadline_ms();
      call.response_kind = proto::MESSAGE_KIND_RANGE_RESPONSE;
      return call;
    }
    case proto::MESSAGE_KIND_STATUS_REQUEST: {
      call.is_status = true;
      call.response_kind = proto::MESSAGE_KIND_STATUS_RESPONSE;
      return call;
    }
    default:
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("message kind {} is not a client request",
                                static_cast<int>(envelope.kind())));
  }
}

std::string encode_client_response(proto::MessageKind kind,
                                   const node::ClientResponse& response,
                                   std::string_view leader_address) {
  switch (kind) {
    case proto::MESSAGE_KIND_PUT_RESPONSE: {
      proto::PutResponse wire;
      fill_write_response(response, leader_address, wire);
      return wire.SerializeAsString();
    }
    case proto::MESSAGE_KIND_GET_RESPONSE: {
      proto::GetResponse wire;
      if (response.kv) {
        fill_kv(*response.kv, *wire.mutable_kv());
      } else if (response.status.is_ok()) {
        // The wire says "absent" with a definite NOT_FOUND (client.proto).
        node::ClientResponse absent = response;
        absent.status = Status(ErrorCode::kNotFound,
                               fmt::format("the key does not exist at revision {}",
                                           response.header.revision.value()));
        return finish(wire, absent, leader_address);
      }
      return finish(wire, response, leader_address);
    }
    case proto::MESSAGE_KIND_DELETE_RESPONSE: {
      proto::DeleteResponse wire;
      fill_write_response(response, leader_address, wire);
      return wire.SerializeAsString();
    }
    case proto::MESSAGE_KIND_COMPARE_AND_SWAP_RESPONSE: {
      proto::CompareAndSwapResponse wire;
      fill_write_response(response, leader_address, wire);
      return wire.SerializeAsString();
    }
    case proto::MESSAGE_KIND_RANGE_RESPONSE: {
      proto::RangeResponse wire;
      for (const node::KeyValue& kv : response.kvs) fill_kv(kv, *wire.add_kvs());
      wire.set_more(response.more);
      if (response.more && !response.kvs.empty()) {
        // The next page starts just after the last key of this one.
        wire.set_continuation_key(response.kvs.back().key + std::string(1, '\0'));
      }
      return finish(wire, response, leader_address);
    }
    default: {
      proto::ErrorReply wire;
      fill_error(response.status, response.indeterminate, *wire.mutable_error());
      return wire.SerializeAsString();
    }
  }
}

}  // namespace quokka::server
