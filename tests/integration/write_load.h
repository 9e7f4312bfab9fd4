#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "client/client.h"
#include "common/types.h"

namespace quokka::integration {

// One write of a WriteLoad and how it ended.
struct LoadWrite {
  std::string key;
  std::string value;
  uint64_t invoke_micros = 0;
  uint64_t complete_micros = 0;
  bool acknowledged = false;
  // Only for failures: definite (certainly not applied) or not.
  bool definite = false;
  Revision revision;  // acknowledged writes
  NodeId answered_by;  // acknowledged writes
  std::string error;  // failures
};

// Writers on threads of their own, each with its own Client, each writing
// fresh keys (`prefix`/<writer>/<n>, a unique value each) one after the
// other until stopped. Every outcome is kept, so a test can check that
// each acknowledged write survived and no definitely failed one appeared.
class WriteLoad {
 public:
  using ClientFactory = std::function<std::unique_ptr<client::Client>()>;

  WriteLoad(ClientFactory make_client, size_t writers, std::string prefix);
  // Stops and joins the writers.
  ~WriteLoad();

  WriteLoad(const WriteLoad&) = delete;
  WriteLoad& operator=(const WriteLoad&) = delete;

  void start();
  // Asks every writer to stop after its current write, and joins them.
  void stop();

  // The writes finished so far.
  std::vector<LoadWrite> writes() const;
  size_t acknowledged() const { return acknowledged_.load(); }
  // Completion time of the first acknowledged write that completed after
  // `micros`; 0 if none yet.
  uint64_t first_acknowledged_after(uint64_t micros) const;

 private:
  void run(size_t writer);

  ClientFactory make_client_;
  size_t writers_;
  std::string prefix_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> acknowledged_{0};
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::vector<LoadWrite> writes_;  // guarded by mutex_
};

// Reads every key under `prefix` (linearizably, page by page) and checks
// that each acknowledged write is there with its value and revision, and
// that no write that failed definitely is there at all. Indeterminate
// failures may be either.
::testing::AssertionResult check_writes_survived(client::Client& client, const std::string& prefix,
                                                 const std::vector<LoadWrite>& writes);

}  // namespace quokka::integration
