#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace quokka::integration {

// One child process (a quokkad), started with fork/exec, its stdout and
// stderr appended to a log file. Every signal goes to the pid this object
// started, never to a process found by name. The child gets SIGKILL if the
// test process dies first (PR_SET_PDEATHSIG), so a crashed or timed-out
// test leaves no daemon behind. Not thread-safe: drive it from one thread.
class NodeProcess {
 public:
  NodeProcess(std::filesystem::path binary, std::vector<std::string> arguments,
              std::filesystem::path log_file);
  // Kills the process (SIGKILL) and reaps it if it still runs.
  ~NodeProcess();

  NodeProcess(const NodeProcess&) = delete;
  NodeProcess& operator=(const NodeProcess&) = delete;

  // Starts the process; an empty string on success, else why not. Refused
  // while a previous start is still running.
  std::string start();

  bool running();
  // 0 when not running.
  pid_t pid() const { return pid_; }

  // Sends `signal` to the child; false if it is not running.
  bool signal(int signal);

  // SIGKILL, then reaps the child (bounded: SIGKILL cannot be ignored).
  void kill();
  // SIGSTOP / SIGCONT: the process freezes with its sockets open, as a
  // process stalled by the scheduler, a VM pause or a long GC would.
  void pause();
  void resume();

  // Waits up to `timeout` for the child to exit; its wait status
  // (see waitpid(2)) when it did, nothing while it still runs.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

  // The wait status of the last exit, if the child has exited since its
  // last start.
  std::optional<int> last_exit_status() const { return last_exit_status_; }

  const std::filesystem::path& log_file() const { return log_file_; }
  // The log's last `lines` lines.
  std::string log_tail(size_t lines) const;
  std::string log_contents() const;

  void set_arguments(std::vector<std::string> arguments) { arguments_ = std::move(arguments); }

 private:
  // Reaps the child without waiting; true when it has exited.
  bool reap();

  std::filesystem::path binary_;
  std::vector<std::string> arguments_;
  std::filesystem::path log_file_;
  pid_t pid_ = 0;
  std::optional<int> last_exit_status_;
};

// "exited with status 0", "killed by signal 9 (Killed)".
std::string describe_wait_status(int status);

}  // namespace quokka::integration
