#include "server/node/storage_log.h"

#include "common/assert.h"
#include "server/node/node_state.h"
#include "server/node/snapshot_codec.h"

namespace quokka::node {

consensus::ConfState StorageLog::snapshot_conf_state() const {
  Result<std::optional<std::string>> record =
      storage_.get_node_record(record_name::kLogStartConf);
  QUOKKA_ASSERT(record.is_ok(), "the log's membership record is unreadable: {}",
                record.status().to_string());
  if (!record->has_value()) return {};
  Result<consensus::ConfState> conf = decode_conf_state(**record);
  QUOKKA_ASSERT(conf.is_ok(), "{}", conf.status().to_string());
  return *conf;
}

Result<consensus::Snapshot> StorageLog::snapshot() const {
  const AppliedState applied = storage_.applied_state();
  if (cached_ && cached_->metadata.last.index == applied.index) return *cached_;
  Result<StateSnapshot> state = storage_.create_snapshot();
  if (!state.is_ok()) return state.status();
  consensus::Snapshot snapshot;
  snapshot.metadata.last = {state->applied.index, state->applied.term};
  for (const KvPair& record : state->node_records) {
    if (record.key != record_name::kAppliedConf) continue;
    Result<consensus::ConfState> conf = decode_conf_state(record.value);
    if (!conf.is_ok()) return conf.status();
    snapshot.metadata.conf_state = *conf;
  }
  snapshot.data = encode_state_snapshot(*state);
  cached_ = snapshot;
  return snapshot;
}

}  // namespace quokka::node
