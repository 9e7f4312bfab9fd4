#include "tests/integration/write_load.h"

#include <map>

#include <fmt/format.h>

#include "tests/integration/process_cluster.h"

namespace quokka::integration {

WriteLoad::WriteLoad(ClientFactory make_client, size_t writers, std::string prefix)
    : make_client_(std::move(make_client)), writers_(writers), prefix_(std::move(prefix)) {}

WriteLoad::~WriteLoad() { stop(); }

void WriteLoad::start() {
  for (size_t writer = 0; writer < writers_; ++writer) {
    threads_.emplace_back([this, writer] { run(writer); });
  }
}

void WriteLoad::stop() {
  stopping_ = true;
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void WriteLoad::run(size_t writer) {
  std::unique_ptr<client::Client> client = make_client_();
  for (uint64_t n = 0; !stopping_; ++n) {
    LoadWrite write;
    write.key = fmt::format("{}/{}/{:06}", prefix_, writer, n);
    write.value = fmt::format("value of writer {} write {}", writer, n);
    write.invoke_micros = monotonic_micros();
    auto result = client->put(write.key, write.value);
    write.complete_micros = monotonic_micros();
    if (result.is_ok()) {
      write.acknowledged = true;
      write.revision = result->kv.mod_revision;
      write.answered_by = result->header.node;
      ++acknowledged_;
    } else {
      write.definite = result.error().definite();
      write.error = result.error().to_string();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    writes_.push_back(std::move(write));
  }
}

std::vector<LoadWrite> WriteLoad::writes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return writes_;
}

uint64_t WriteLoad::first_acknowledged_after(uint64_t micros) const {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t first = 0;
  for (const LoadWrite& write : writes_) {
    if (write.acknowledged && write.complete_micros > micros &&
        (first == 0 || write.complete_micros < first)) {
      first = write.complete_micros;
    }
  }
  return first;
}

::testing::AssertionResult check_writes_survived(client::Client& client, const std::string& prefix,
                                                 const std::vector<LoadWrite>& writes) {
  std::map<std::string, client::KeyValue> stored;
  client::RangeOptions options;
  options.deadline = std::chrono::milliseconds(10000);
  for (int page = 0; page < 1000; ++page) {
    auto result = client.range(client::KeyRange::prefix(prefix + "/"), options);
    if (!result.is_ok()) {
      return ::testing::AssertionFailure()
             << "cannot read the writes back: " << result.error().to_string();
    }
    for (const client::KeyValue& kv : result->kvs) stored[kv.key] = kv;
    if (!result->more) break;
    options.continuation_key = result->continuation_key;
  }
  size_t lost = 0;
  size_t wrong = 0;
  size_t ghosts = 0;
  std::string examples;
  auto note = [&examples](const std::string& line) {
    if (examples.size() < 2000) examples += "  " + line + "\n";
  };
  for (const LoadWrite& write : writes) {
    auto found = stored.find(write.key);
    if (write.acknowledged) {
      if (found == stored.end()) {
        ++lost;
        note(fmt::format("LOST {} (acknowledged at revision {} by node {})", write.key,
                         write.revision.value(), write.answered_by.value()));
      } else if (found->second.value != write.value ||
                 found->second.mod_revision != write.revision) {
        ++wrong;
        note(fmt::format("WRONG {}: acknowledged \"{}\" at revision {}, read \"{}\" at {}",
                         write.key, write.value, write.revision.value(), found->second.value,
                         found->second.mod_revision.value()));
      }
    } else if (write.definite && found != stored.end()) {
      ++ghosts;
      note(fmt::format("APPLIED {} although it failed definitely: {}", write.key, write.error));
    }
  }
  if (lost + wrong + ghosts == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << lost << " acknowledged writes lost, " << wrong << " read back different, "
         << ghosts << " definite failures applied (of " << writes.size() << " writes):\n"
         << examples;
}

}  // namespace quokka::integration
