// PRELOAD_PLUGIN_INIT runs once per mapped image when threads with loaders
// of their own open the same plugin at the same time: the others wait for
// the first one's init and do not run it again (loader/internal/init_once.h).
// Labelled "concurrency": the ThreadSanitizer tree runs it too. Threads are
// started together through the standard library, which TSan sees.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "fixture_paths.h"
#include "hardening_support.h"
#include "preload/loader.h"

namespace preload::hardening {
namespace {

constexpr int kThreads = 8;

// Holds every thread until all have arrived, then lets them go at once.
class StartLine {
 public:
  void ArriveAndWait() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (++arrived_ == kThreads) changed_.notify_all();
    changed_.wait(lock, [this] { return arrived_ == kThreads; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int arrived_ = 0;
};

TEST(InitOnceConcurrencyTest, LoadersOfTheirOwnRunTheInitOnce) {
  const int code = RunInChild([] {
    // The init takes 100 ms: every thread's Open finds it running.
    ::setenv("HX_OPENER_A_SLEEP_MS", "100", 1);
    StartLine start;
    std::vector<absl::StatusOr<Plugin*>> opened(kThreads, nullptr);
    std::vector<std::unique_ptr<Loader>> loaders;
    for (int i = 0; i < kThreads; ++i) loaders.push_back(std::make_unique<Loader>());
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.ArriveAndWait();
        opened[i] = loaders[i]->Open(HX_OPENER_A);
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (const absl::StatusOr<Plugin*>& plugin : opened) {
      if (!plugin.ok()) {
        std::fprintf(stderr, "%s\n", plugin.status().ToString().c_str());
        return 1;
      }
    }
    const int runs = **(*opened[0])->Lookup<int>("InitRuns");
    if (runs != 1) {
      std::fprintf(stderr, "the init ran %d times for %d loaders\n", runs, kThreads);
      return 1;
    }
    return 0;
  }, std::chrono::seconds(120));
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace preload::hardening
