// Concurrent opens of a diamond of requirements (rq_cc_top -> rq_cc_left,
// rq_cc_right -> rq_cc_base) from many threads, each opening the four
// plugins in an order of its own, while others list the loaded plugins and
// look up exports of required plugins. Every plugin is loaded and
// initialised exactly once, each after its requirements, every thread gets
// the same Plugin for a name, and nothing deadlocks. scripts/test also runs
// this under ThreadSanitizer (ctest -L concurrency); the test synchronises
// only through the standard library, which ThreadSanitizer sees.
#include <array>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "fixture_paths.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "preload/required.h"
#include "run_together.h"

namespace preload::testing {
namespace {

constexpr int kThreads = 16;
constexpr int kRounds = 20;
constexpr auto kDeadlockAfter = std::chrono::seconds(120);
constexpr std::array<const char*, 4> kNames = {"rq_cc_top", "rq_cc_left",
                                               "rq_cc_right", "rq_cc_base"};

using concurrency::RunTogether;
using Errors = concurrency::ThreadErrors;

// Opens the four plugins in the order `thread` and `round` pick, and checks
// what a caller relies on: the same Plugin per name, an init that ran once,
// and a required plugin's exports reachable as a plugin reaches them.
void OpenDiamond(Loader& loader, int thread, int round,
                 std::array<const Plugin*, 4>& seen, Errors& errors) {
  for (int step = 0; step < 4; ++step) {
    const int index = (thread + round + step * (1 + thread % 3)) % 4;
    absl::StatusOr<Plugin*> plugin = loader.Open(kNames[index]);
    if (!plugin.ok()) {
      errors.Add(plugin.status().ToString());
      continue;
    }
    if (seen[index] == nullptr) seen[index] = *plugin;
    if (seen[index] != *plugin) errors.Add(std::string(kNames[index]) + ": another Plugin");
    absl::StatusOr<int*> init_count = (*plugin)->Lookup<int>("InitCount");
    if (!init_count.ok() || **init_count != 1) {
      errors.Add(std::string(kNames[index]) + ": init did not run exactly once");
    }
    absl::StatusOr<bool*> ready = LookupRequired<bool>("rq_cc_base", "Ready");
    if (index != 3 && (!ready.ok() || !**ready)) {
      errors.Add(std::string(kNames[index]) + " loaded before rq_cc_base was ready");
    }
  }
  if (thread % 4 == 0) {
    for (const Plugin* loaded : loader.plugins()) {
      if (loaded->name().empty()) errors.Add("a listed plugin has no name");
    }
  }
}

TEST(RequirementsConcurrency, ManyThreadsOpenADiamondEachPluginOnce) {
  LoaderOptions options;
  options.search_path = {RQ_PLUGIN_DIR};
  options.default_search_path = false;
  Loader loader(std::move(options));
  Errors errors;
  std::vector<std::array<const Plugin*, 4>> seen(kThreads);
  for (int round = 0; round < kRounds; ++round) {
    RunTogether(kThreads, kDeadlockAfter, [&](int thread) {
      OpenDiamond(loader, thread, round, seen[thread], errors);
    });
  }
  for (const std::string& error : errors.Take()) ADD_FAILURE() << error;
  // Loaded in dependency order, each once.
  std::vector<std::string> names;
  for (const Plugin* plugin : loader.plugins()) names.emplace_back(plugin->name());
  ASSERT_EQ(names.size(), 4u);
  EXPECT_EQ(names[0], "rq_cc_base");
  EXPECT_EQ(names[3], "rq_cc_top");
  for (int thread = 1; thread < kThreads; ++thread) {
    EXPECT_EQ(seen[thread], seen[0]) << "thread " << thread;
  }
}

}  // namespace
}  // namespace preload::testing
