#include "tests/consensus/property/crash_report.h"

#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace quokka::testing::raft_property {
namespace {

struct CrashContext {
  uint64_t seed = 0;
  const EventLog* events = nullptr;
};

CrashContext* current = nullptr;

void write_out(const char* text, size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(STDERR_FILENO, text, size);
    if (written <= 0) return;
    text += written;
    size -= static_cast<size_t>(written);
  }
}

void write_out(const std::string& text) { write_out(text.data(), text.size()); }

// The process is going down anyway; the event lines were formatted before,
// so this mostly copies bytes out.
void on_fatal_signal(int signal_number) {
  if (current != nullptr) {
    std::string seed_line = "\nSEED=" + std::to_string(current->seed) +
                            " (the process aborted: a core assertion or a "
                            "crash)\nlast events:\n";
    write_out(seed_line);
    if (current->events != nullptr) {
      for (const std::string& line : current->events->recent()) {
        write_out("  ");
        write_out(line);
        write_out("\n");
      }
    }
  }
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

void install_once() {
  static const bool installed = [] {
    for (const int signal_number : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE}) {
      ::signal(signal_number, on_fatal_signal);
    }
    return true;
  }();
  (void)installed;
}

CrashContext context;

}  // namespace

CrashReportScope::CrashReportScope(uint64_t seed, const EventLog& events) {
  install_once();
  context = CrashContext{seed, &events};
  current = &context;
}

CrashReportScope::~CrashReportScope() { current = nullptr; }

}  // namespace quokka::testing::raft_property
