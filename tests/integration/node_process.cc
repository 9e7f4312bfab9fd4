#include "tests/integration/node_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

#include <fmt/format.h>

namespace quokka::integration {
namespace {

// Closes every descriptor above stderr in the child, so the daemon holds no
// copy of the test's sockets (a copy would keep a connection open after the
// test closed it). Async-signal-safe: only system calls.
void close_inherited_descriptors() {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
#endif
  const long limit = ::sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (limit > 0 ? limit : 4096); ++fd) ::close(static_cast<int>(fd));
}

}  // namespace

NodeProcess::NodeProcess(std::filesystem::path binary, std::vector<std::string> arguments,
                         std::filesystem::path log_file)
    : binary_(std::move(binary)), arguments_(std::move(arguments)), log_file_(std::move(log_file)) {}

NodeProcess::~NodeProcess() {
  if (pid_ != 0) kill();
}

std::string NodeProcess::start() {
  if (pid_ != 0 && !reap()) return fmt::format("pid {} is still running", pid_);
  const int log_fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return fmt::format("cannot open the log file {}: {}", log_file_.string(),
                       std::strerror(errno));
  }
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls (the parent has other threads).
  std::vector<std::string> argv_strings;
  argv_strings.push_back(binary_.string());
  argv_strings.insert(argv_strings.end(), arguments_.begin(), arguments_.end());
  std::vector<char*> argv;
  for (std::string& argument : argv_strings) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();

  const pid_t child = ::fork();
  if (child < 0) {
    const int error = errno;
    ::close(log_fd);
    return fmt::format("fork failed: {}", std::strerror(error));
  }
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    close_inherited_descriptors();
    ::execv(argv[0], argv.data());
    const char message[] = "exec of the daemon failed\n";
    [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, message, sizeof(message) - 1);
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = child;
  last_exit_status_.reset();
  return {};
}

bool NodeProcess::reap() {
  if (pid_ == 0) return true;
  int status = 0;
  const pid_t result = ::waitpid(pid_, &status, WNOHANG);
  if (result == pid_) {
    last_exit_status_ = status;
    pid_ = 0;
    return true;
  }
  return false;
}

bool NodeProcess::running() { return pid_ != 0 && !reap(); }

bool NodeProcess::signal(int signal) {
  if (!running()) return false;
  return ::kill(pid_, signal) == 0;
}

void NodeProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  // SIGKILL cannot be caught or ignored, and it ends a stopped process too,
  // so this wait is short.
  if (::waitpid(pid_, &status, 0) == pid_) last_exit_status_ = status;
  pid_ = 0;
}

void NodeProcess::pause() { signal(SIGSTOP); }

void NodeProcess::resume() { signal(SIGCONT); }

std::optional<int> NodeProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (reap()) return last_exit_status_;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string NodeProcess::log_contents() const {
  std::ifstream in(log_file_);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string NodeProcess::log_tail(size_t lines) const {
  const std::string contents = log_contents();
  std::vector<std::string_view> all;
  std::string_view rest = contents;
  while (!rest.empty()) {
    const size_t newline = rest.find('\n');
    all.push_back(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  }
  std::string tail;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    tail.append(all[i]);
    tail.push_back('\n');
  }
  return tail;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  }
  return fmt::format("wait status {:#x}", status);
}

}  // namespace quokka::integration
