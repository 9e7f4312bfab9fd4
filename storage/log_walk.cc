#include "storage/log_walk.h"

#include <fmt/format.h>

#include "common/assert.h"
#include "storage/record_codec.h"

namespace quokka {

namespace rc = record_codec;

Result<LogWalkEnd> walk_log(const KvReader& reader, LogIndex lo, LogIndex hi,
                            size_t page_entries,
                            const std::function<Result<LogWalkStep>(LogEntry&&)>& visit) {
  QUOKKA_ASSERT(page_entries > 0, "a log walk needs pages of at least one entry");
  LogIndex next = lo;
  while (next < hi) {
    auto page = reader.scan(KeySpace::kLog, rc::log_key(next), rc::log_key(hi), page_entries);
    if (!page) return page.status();
    for (const KvPair& pair : *page) {
      auto index = rc::decode_log_key(pair.key);
      if (!index || *index != next) return LogWalkEnd{next, true};
      auto entry = rc::decode_log_entry(*index, pair.value);
      if (!entry) {
        return Status(ErrorCode::kCorrupt,
                      fmt::format("log entry {} cannot be decoded", index->value()));
      }
      auto step = visit(std::move(*entry));
      if (!step) return step.status();
      next = LogIndex(next.value() + 1);
      if (*step == LogWalkStep::kStop) return LogWalkEnd{next, false};
    }
    // A short page ends the keys below `hi`: whatever was not visited is
    // missing.
    if (page->size() < page_entries && next < hi) return LogWalkEnd{next, true};
  }
  return LogWalkEnd{next, false};
}

}  // namespace quokka
