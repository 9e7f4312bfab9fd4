#include "server/storage_writer.h"

#include <chrono>

namespace quokka::server {

StorageWriter::StorageWriter(Storage& storage, Post post, bool sync,
                             std::function<void(double)> observe)
    : storage_(storage),
      post_(std::move(post)),
      sync_(sync),
      observe_(std::move(observe)),
      thread_([this] { run(); }) {}

StorageWriter::~StorageWriter() { stop(); }

void StorageWriter::write(WriteBatch batch, std::function<void(Status)> done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Pending{std::move(batch), std::move(done)});
  }
  wake_.notify_one();
}

void StorageWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      if (thread_.joinable() && std::this_thread::get_id() != thread_.get_id()) thread_.join();
      return;
    }
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

uint64_t StorageWriter::queue_depth() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

uint64_t StorageWriter::group_commits() const {
  std::lock_guard lock(mutex_);
  return group_commits_;
}

void StorageWriter::run() {
  for (;;) {
    std::deque<Pending> group;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      group.swap(queue_);
      ++group_commits_;
    }
    // Every batch but the last without a sync; the last one's sync makes
    // them all durable (Storage::commit's contract).
    const auto started = std::chrono::steady_clock::now();
    std::vector<Status> results;
    results.reserve(group.size());
    for (size_t i = 0; i < group.size(); ++i) {
      const bool last = i + 1 == group.size();
      results.push_back(storage_.commit(group[i].batch, last && sync_ ? Sync::kYes : Sync::kNo));
    }
    if (observe_) {
      observe_(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    // A failed sync fails every batch of the group: none is known durable.
    Status group_status = results.back();
    auto completions = std::make_shared<std::deque<Pending>>(std::move(group));
    auto statuses = std::make_shared<std::vector<Status>>(std::move(results));
    post_([completions, statuses, group_status] {
      for (size_t i = 0; i < completions->size(); ++i) {
        Status status = (*statuses)[i].is_ok() ? group_status : (*statuses)[i];
        (*completions)[i].done(std::move(status));
      }
    });
  }
}

}  // namespace quokka::server
