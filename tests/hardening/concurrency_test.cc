// Concurrency: many threads opening the same and different plugins, by
// several paths to each, while others look up and call exports, verify, list
// the loaded plugins and open a refused plugin. Each plugin is loaded (and
// initialised) exactly once, every thread gets the same Plugin for the same
// file, nothing deadlocks. scripts/test also runs this under
// ThreadSanitizer (ctest -L concurrency), which checks the loader's own
// synchronisation.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "fixture_paths.h"
#include "gtest/gtest.h"
#include "hardening_support.h"
#include "preload/loader.h"
#include "run_together.h"

namespace preload::hardening {
namespace {

constexpr int kThreads = 16;
constexpr int kRounds = 40;
constexpr auto kDeadlockAfter = std::chrono::seconds(120);

// Each test uses plugins of its own, so that, run in one process in any
// order, neither sees the other's loads.
const char* const kWorkers[] = {HX_WORKER_0, HX_WORKER_1, HX_WORKER_2,
                                HX_WORKER_3};
constexpr int kWorkerCount = sizeof kWorkers / sizeof kWorkers[0];

using concurrency::RunTogether;
using Errors = concurrency::ThreadErrors;

// The paths by which thread `thread` opens worker `worker` in `round`: the
// file itself or one of two symlinks to it.
class Aliases {
 public:
  explicit Aliases(const ScratchDir& dir) {
    for (int w = 0; w < kWorkerCount; ++w) {
      paths_[w][0] = kWorkers[w];
      for (int a = 1; a < 3; ++a) {
        paths_[w][a] = dir / ("worker" + std::to_string(w) + "_alias" +
                              std::to_string(a) + ".so");
        EXPECT_EQ(::symlink(kWorkers[w], paths_[w][a].c_str()), 0);
      }
    }
  }
  const std::string& Path(int worker, int variant) const {
    return paths_[worker][variant % 3];
  }

 private:
  std::string paths_[kWorkerCount][3];
};

// Opens worker `w` by one of its paths and checks what a caller relies on:
// its exports, with the right types, and an init that ran exactly once.
const Plugin* OpenAndUse(Loader& loader, const std::string& path, int w,
                         Errors& errors) {
  absl::StatusOr<Plugin*> plugin = loader.Open(path);
  if (!plugin.ok()) {
    errors.Add(plugin.status().ToString());
    return nullptr;
  }
  absl::StatusOr<int (*)()> id = (*plugin)->Lookup<int()>("Id");
  absl::StatusOr<int*> init_count = (*plugin)->Lookup<int>("InitCount");
  if (!id.ok() || !init_count.ok()) {
    errors.Add(path + ": exports missing");
    return *plugin;
  }
  if ((**id)() != w) errors.Add(path + ": Id() is " + std::to_string((**id)()));
  if (**init_count != 1) {
    errors.Add(path + ": init ran " + std::to_string(**init_count) + " times");
  }
  if ((*plugin)->Lookup<long()>("Id").ok()) errors.Add(path + ": wrong type accepted");
  return *plugin;
}

TEST(ConcurrencyTest, ThreadsOpeningTheSameAndDifferentPluginsLoadEachOnce) {
  ScratchDir dir;
  ASSERT_TRUE(dir.ok());
  Aliases aliases(dir);
  Loader loader;
  Errors errors;
  // seen[thread][worker]: the Plugin that thread got for that worker.
  std::vector<std::vector<const Plugin*>> seen(
      kThreads, std::vector<const Plugin*>(kWorkerCount, nullptr));

  RunTogether(kThreads, kDeadlockAfter, [&](int t) {
    for (int round = 0; round < kRounds; ++round) {
      for (int k = 0; k < kWorkerCount; ++k) {
        // Threads walk the workers in different orders, so that first opens
        // of different plugins race as well as of the same one.
        const int w = (t % 2 ? kWorkerCount - 1 - k : k + t) % kWorkerCount;
        const Plugin* plugin =
            OpenAndUse(loader, aliases.Path(w, t + round), w, errors);
        if (plugin == nullptr) continue;
        if (seen[t][w] == nullptr) seen[t][w] = plugin;
        if (seen[t][w] != plugin) errors.Add("another Plugin for the same file");
      }
      if (round % 8 == t % 8) {
        // A refused plugin and a missing file, in the middle of it all.
        if (loader.Open(HX_REFUSED).ok()) errors.Add("hx_refused loaded");
        if (loader.Open(HX_WORKER_0 ".missing").ok()) errors.Add("missing file loaded");
        if (!loader.Verify(kWorkers[t % kWorkerCount]).ok()) errors.Add("Verify failed");
        if (loader.plugins().size() > kWorkerCount) errors.Add("too many plugins");
      }
    }
  });

  for (const std::string& error : errors.Take()) ADD_FAILURE() << error;
  EXPECT_EQ(loader.plugins().size(), static_cast<std::size_t>(kWorkerCount));
  for (int w = 0; w < kWorkerCount; ++w) {
    for (int t = 1; t < kThreads; ++t) EXPECT_EQ(seen[t][w], seen[0][w]) << w;
  }
  EXPECT_FALSE(IsMapped(HX_REFUSED));
  EXPECT_EQ(std::getenv("HX_REFUSED_RAN"), nullptr);
}

// Lookups and calls on a loaded plugin (hx_worker_4) while other threads
// load another (hx_worker_5) and list the plugins: registering a plugin never
// disturbs readers of one already loaded.
TEST(ConcurrencyTest, LookupsOfOnePluginRaceWithTheLoadOfAnother) {
  Loader loader;
  absl::StatusOr<Plugin*> loaded = loader.Open(HX_WORKER_4);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Plugin* first = *loaded;
  Errors errors;
  std::vector<const Plugin*> second(kThreads, nullptr);
  RunTogether(kThreads, kDeadlockAfter, [&](int t) {
    if (t % 2 == 0) {
      for (int i = 0; i < 2000; ++i) {
        absl::StatusOr<int (*)()> id = first->Lookup<int()>("Id");
        if (!id.ok() || (**id)() != 4) errors.Add("lookup of Id failed");
        if (first->Lookup<int()>("NoSuchExport").ok()) errors.Add("found nothing");
        if (first->ExportNames().size() != 2) errors.Add("export names changed");
      }
    } else {
      absl::StatusOr<Plugin*> plugin = loader.Open(HX_WORKER_5);
      if (!plugin.ok()) {
        errors.Add(plugin.status().ToString());
      } else {
        second[t] = *plugin;
      }
      for (const Plugin* p : loader.plugins()) (void)p->name();
    }
  });
  for (const std::string& error : errors.Take()) ADD_FAILURE() << error;
  ASSERT_EQ(loader.plugins().size(), 2u);
  const Plugin* fifth = loader.plugins()[1];
  for (int t = 1; t < kThreads; t += 2) EXPECT_EQ(second[t], fifth) << t;
  absl::StatusOr<int*> init_count = fifth->Lookup<int>("InitCount");
  ASSERT_TRUE(init_count.ok()) << init_count.status();
  EXPECT_EQ(**init_count, 1);
}

}  // namespace
}  // namespace preload::hardening
