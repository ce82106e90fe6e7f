// Helpers of the concurrency tests: errors gathered from many threads, and
// threads started at the same instant. They synchronise only through the
// standard library, which ThreadSanitizer sees (it cannot see absl::Mutex in
// Debian's uninstrumented Abseil).
#ifndef PRELOAD_TESTS_COMMON_RUN_TOGETHER_H_
#define PRELOAD_TESTS_COMMON_RUN_TOGETHER_H_

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace preload::concurrency {

// Errors found by any thread, reported by the main thread (gtest's
// assertions are not meant to be made from many threads at once).
class ThreadErrors {
 public:
  void Add(std::string error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (errors_.size() < 20) errors_.push_back(std::move(error));
  }
  std::vector<std::string> Take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::move(errors_);
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> errors_;
};

// Starts `count` threads running `body(index)` at the same instant and waits
// for them. A thread still running after `deadlock_after` is taken for a
// deadlock: the test binary aborts with a message rather than hang CI.
template <typename Body>
void RunTogether(int count, std::chrono::seconds deadlock_after, Body body) {
  std::mutex mutex;
  std::condition_variable changed;
  int ready = 0, done = 0;
  bool go = false;
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      {
        std::unique_lock<std::mutex> lock(mutex);
        ++ready;
        changed.notify_all();
        changed.wait(lock, [&] { return go; });
      }
      body(i);
      std::lock_guard<std::mutex> lock(mutex);
      ++done;
      changed.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return ready == count; });
    go = true;
    changed.notify_all();
    if (!changed.wait_for(lock, deadlock_after, [&] { return done == count; })) {
      std::fprintf(stderr, "deadlock: %d of %d threads still running after %lld s\n",
                   count - done, count,
                   static_cast<long long>(deadlock_after.count()));
      std::abort();
    }
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace preload::concurrency

#endif  // PRELOAD_TESTS_COMMON_RUN_TOGETHER_H_
