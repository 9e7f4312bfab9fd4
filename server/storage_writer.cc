#include "server/storage_writer.h"

#include <chrono>

namespace quokka::server {

StorageWriter::StorageWriter(Storage& storage, Post post, bool sync, Observer observer)
    : storage_(storage),
      post_(std::move(post)),
      sync_(sync),
      observer_(std::move(observer)),
      thread_([this] { run(); }) {}

StorageWriter::~StorageWriter() { stop(); }

void StorageWriter::write(WriteBatch batch, Sync sync, std::function<void(Status)> done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(
        Pending{std::move(batch), sync, std::move(done), std::chrono::steady_clock::now()});
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
    using Seconds = std::chrono::duration<double>;
    const auto started = std::chrono::steady_clock::now();
    if (observer_.waited) {
      for (const Pending& pending : group) observer_.waited(Seconds(started - pending.queued).count());
    }
    // Every batch without a sync, then one sync of the write-ahead log,
    // which makes them all durable (Storage::commit's contract for an empty
    // batch). The same work as syncing the last batch, but the sync is
    // timed on its own: the log sync is the disk's share of a commit.
    std::vector<Status> results;
    results.reserve(group.size());
    bool group_needs_sync = false;
    for (const Pending& pending : group) {
      results.push_back(storage_.commit(pending.batch, Sync::kNo));
      group_needs_sync = group_needs_sync || pending.sync == Sync::kYes;
    }
    Status group_status = Status::ok();
    double sync_seconds = 0;
    if (sync_ && group_needs_sync) {
      const auto sync_started = std::chrono::steady_clock::now();
      group_status = storage_.commit(WriteBatch{}, Sync::kYes);
      sync_seconds = Seconds(std::chrono::steady_clock::now() - sync_started).count();
    }
    if (observer_.committed) {
      observer_.committed(Seconds(std::chrono::steady_clock::now() - started).count(),
                          sync_seconds);
    }
    // A failed sync fails every batch of the group: none is known durable.
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
