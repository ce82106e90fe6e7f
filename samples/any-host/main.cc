// any-host: a small program that knows nothing of plugins.
//
//   any-host [--seconds N] [--crash]
//
// It works (sums numbers) for N seconds (default 30) or until SIGINT/SIGTERM,
// printing a line now and then, and exits with status 0. --crash makes it
// dereference a null pointer, as a buggy program would.
//
// It is linked with PreloadSDK::autoload: run it with
// PRELOAD_PLUGINS=manhole:crash-handler and those plugins are verified and
// loaded before main. Nothing in this file refers to them.
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <unistd.h>

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void RequestStop(int) { stop_requested = 1; }

// A store through a null pointer the compiler cannot see through: SIGSEGV.
[[gnu::noinline]] void CrashOnPurpose() {
  static volatile int* volatile nowhere = nullptr;
  *nowhere = 42;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 30;
  bool crash = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--crash") == 0) {
      crash = true;
    } else {
      std::fprintf(stderr, "usage: any-host [--seconds N] [--crash]\n");
      return 2;
    }
  }
  std::printf("any-host: pid %d, working\n", static_cast<int>(::getpid()));
  std::fflush(stdout);
  if (crash) CrashOnPurpose();
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(seconds);
  unsigned long long sum = 0;
  while (!stop_requested && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 1000; ++i) sum += static_cast<unsigned>(i) * 2654435761u;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::printf("any-host: done (checksum %llu)\n", sum % 1000);
  return 0;
}
