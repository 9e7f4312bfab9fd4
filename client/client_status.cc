// Client::status: one StatusRequest to every configured endpoint, each on a
// connection of its own, without retries or hints: the point is to see each
// node as it is.

#include <fmt/format.h>

#include <utility>

#include "client/client_impl.h"
#include "proto/error_code_conversion.h"
#include "proto/errors.pb.h"

namespace quokka::client {
namespace {

RaftRole from_wire(proto::RaftRole role) {
  switch (role) {
    case proto::RAFT_ROLE_FOLLOWER: return RaftRole::kFollower;
    case proto::RAFT_ROLE_PRE_CANDIDATE: return RaftRole::kPreCandidate;
    case proto::RAFT_ROLE_CANDIDATE: return RaftRole::kCandidate;
    case proto::RAFT_ROLE_LEADER: return RaftRole::kLeader;
    case proto::RAFT_ROLE_LEARNER: return RaftRole::kLearner;
    default: return RaftRole::kUnknown;
  }
}

ClientError status_error(ErrorCode code, std::string message, std::string endpoint) {
  ClientError error = make_client_error(code, std::move(message));
  error.endpoint = std::move(endpoint);
  error.attempts = 1;
  return error;
}

ClientError from_wire_error(const proto::Error& wire, const std::string& endpoint) {
  const std::optional<ErrorCode> code = proto::from_wire_error_code(wire.code());
  ClientError error = status_error(code.value_or(ErrorCode::kInvalidArgument),
                                   wire.message(), endpoint);
  if (!code) {
    error.message = fmt::format("unknown error code {}: {}",
                                static_cast<int>(wire.code()), wire.message());
  }
  return error;
}

// Reads one endpoint's answer.
ClientResult<NodeStatus> read_status(const ConnectionReply& reply,
                                     const Connection& connection) {
  const std::string& endpoint = connection.address();
  if (!reply.envelope) {
    ClientError error = status_error(reply.code, reply.message, endpoint);
    error.supported_versions = reply.supported_versions;
    return error;
  }
  const proto::Envelope& envelope = *reply.envelope;
  if (envelope.kind() == proto::MESSAGE_KIND_ERROR_REPLY) {
    proto::ErrorReply error_reply;
    if (!error_reply.ParseFromString(envelope.payload())) {
      return status_error(ErrorCode::kInvalidArgument, "unreadable ErrorReply",
                          endpoint);
    }
    return from_wire_error(error_reply.error(), endpoint);
  }
  proto::StatusResponse response;
  if (envelope.kind() != proto::MESSAGE_KIND_STATUS_RESPONSE ||
      !response.ParseFromString(envelope.payload())) {
    return status_error(ErrorCode::kInvalidArgument,
                        fmt::format("answered with message kind {} that is not a "
                                    "readable StatusResponse",
                                    proto::MessageKind_Name(envelope.kind())),
                        endpoint);
  }
  if (response.has_error() && response.error().code() != proto::OK) {
    return from_wire_error(response.error(), endpoint);
  }
  NodeStatus status;
  status.header = ResponseHeader{.revision = Revision(response.header().revision()),
                                 .term = Term(response.header().raft_term()),
                                 .node = NodeId(response.header().node_id()),
                                 .endpoint = endpoint};
  status.role = from_wire(response.raft_role());
  status.leader = NodeId(response.leader_id());
  status.commit_index = LogIndex(response.commit_index());
  status.applied_index = LogIndex(response.applied_index());
  status.cluster_id = response.cluster_id();
  status.protocol_versions = {
      static_cast<proto::ProtocolVersion>(response.min_protocol_version()),
      static_cast<proto::ProtocolVersion>(response.max_protocol_version())};
  status.chosen_protocol_version = connection.chosen_version();
  status.software_version = response.software_version();
  status.stored_blob_bytes = response.stored_blob_bytes();
  return status;
}

// The answers gathered so far; the callback runs when the last arrives.
struct StatusGather {
  std::vector<EndpointStatus> statuses;
  std::vector<bool> done;
  size_t remaining = 0;
  StatusCallback callback;
};

}  // namespace

std::string_view raft_role_name(RaftRole role) {
  switch (role) {
    case RaftRole::kUnknown: return "unknown";
    case RaftRole::kFollower: return "follower";
    case RaftRole::kPreCandidate: return "pre-candidate";
    case RaftRole::kCandidate: return "candidate";
    case RaftRole::kLeader: return "leader";
    case RaftRole::kLearner: return "learner";
  }
  return "unknown";
}

void Client::Impl::status_async(StatusCallback done, const RequestOptions& options) {
  const Clock::time_point submitted = Clock::now();
  const Clock::time_point deadline = deadline_for(options.deadline);
  asio::post(io_, [this, done = std::move(done), submitted, deadline]() mutable {
    auto gather = std::make_shared<StatusGather>();
    gather->callback = std::move(done);
    const size_t count = options_.endpoints.size();
    gather->done.assign(count, false);
    gather->remaining = count;
    record_stats([&](ClientStats& stats) {
      stats.of(Operation::kStatus).started += count;
    });

    std::optional<ClientError> refusal;
    if (shutting_down_) {
      refusal = status_error(ErrorCode::kShuttingDown, "the client is shutting down", "");
    } else if (unfinished_.size() + status_requests_in_flight_ >=
               options_.outstanding_requests_max) {
      refusal = status_error(ErrorCode::kOverloaded,
                             "too many operations outstanding "
                             "(outstanding_requests_max); refused by the client",
                             "");
    }
    for (const std::string& endpoint : options_.endpoints) {
      ClientError placeholder = refusal.value_or(
          status_error(ErrorCode::kTimeout, "no answer", endpoint));
      placeholder.endpoint = endpoint;
      gather->statuses.push_back(EndpointStatus{endpoint, std::move(placeholder)});
    }
    if (refusal) {
      record_stats([&](ClientStats& stats) {
        OperationStats& of = stats.of(Operation::kStatus);
        of.failed += count;
        of.failed_by_code[static_cast<size_t>(refusal->code)] += count;
        if (refusal->code == ErrorCode::kOverloaded) of.refused_overloaded += count;
      });
      gather->callback(std::move(gather->statuses));
      return;
    }
    ++status_requests_in_flight_;

    for (size_t index = 0; index < count; ++index) {
      std::shared_ptr<Connection> connection = open_connection(options_.endpoints[index]);
      auto timer = std::make_shared<asio::steady_timer>(io_, deadline);
      // Records one endpoint's answer; the last one hands all to the caller.
      auto complete = [this, gather, index, connection, timer,
                       submitted](ClientResult<NodeStatus> result) {
        if (gather->done[index]) return;
        gather->done[index] = true;
        timer->cancel();
        connection->close_when_idle();
        const auto latency = Clock::now() - submitted;
        record_stats([&](ClientStats& stats) {
          OperationStats& of = stats.of(Operation::kStatus);
          of.latency.record(latency);
          if (result.is_ok()) {
            ++of.succeeded;
          } else {
            ++of.failed;
            ++of.failed_by_code[static_cast<size_t>(result.error().code)];
          }
        });
        gather->statuses[index].status = std::move(result);
        if (--gather->remaining > 0) return;
        --status_requests_in_flight_;
        gather->callback(std::move(gather->statuses));
      };

      proto::StatusRequest request;
      request.mutable_header()->set_client_id(client_id_);
      const auto remaining_ms = std::chrono::ceil<std::chrono::milliseconds>(
                                    deadline - Clock::now())
                                    .count();
      request.mutable_header()->set_deadline_ms(
          static_cast<uint32_t>(std::max<int64_t>(1, remaining_ms)));
      const uint64_t request_id = connection->send(
          proto::MESSAGE_KIND_STATUS_REQUEST, request.SerializeAsString(),
          [complete, connection](ConnectionReply reply) {
            complete(read_status(reply, *connection));
          });
      timer->async_wait([complete, connection, request_id, submitted,
                         deadline](const asio::error_code& error) {
        if (error) return;
        connection->forget(request_id);
        complete(status_error(
            ErrorCode::kTimeout,
            fmt::format("{} from {} within the deadline of {} ms",
                        connection->is_ready() ? "no status" : "no connection",
                        connection->address(),
                        std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - submitted)
                            .count()),
            connection->address()));
      });
    }
  });
}

}  // namespace quokka::client
