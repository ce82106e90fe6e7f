// crash-handler: gives any host a readable stack trace when it crashes.
//
//   PRELOAD_PLUGINS=crash-handler any-host --crash
//   *** SIGSEGV received at time=1700000000 on cpu 1 ***
//   PC: @     0x55d0c0a1b2c3  (unknown)  CrashOnPurpose()
//       @ ...                            main
//
// On SIGSEGV, SIGILL, SIGFPE, SIGABRT, SIGBUS, SIGTRAP and SIGTERM, Abseil's
// failure signal handler writes the signal and the symbolized stack to stderr,
// then restores the previous handler and raises the signal again, so the
// process still ends as it would have (same signal, core dump if enabled).
#include <unistd.h>

#include <climits>
#include <string>

#include <preload/plugin.h>

#include "absl/debugging/failure_signal_handler.h"
#include "absl/debugging/symbolize.h"

PRELOAD_PLUGIN_INIT() {
  // The symbolizer reads the executable's symbol table; name it exactly.
  static std::string exe = [] {
    char path[PATH_MAX];
    const ssize_t length = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
    return length > 0 ? std::string(path, static_cast<size_t>(length))
                      : std::string("/proc/self/exe");
  }();
  absl::InitializeSymbolizer(exe.c_str());
  absl::FailureSignalHandlerOptions options;
  options.call_previous_handler = true;  // a handler the host set still runs
  absl::InstallFailureSignalHandler(options);
  return absl::OkStatus();
}
