// PRELOAD_PLUGIN_INIT runs once per process per mapped image, and an init
// that opens its own plugin again is refused naming the cycle
// (loader/internal/init_once.h, docs/security.md). The fixtures' inits open
// plugins through this host's SDK, which it exports. Each case runs in a
// child process: the plugins stay mapped for the process's life, and
// without the fix the first two recurse until the stack overflows.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "gtest/gtest.h"
#include "fixture_paths.h"
#include "hardening_support.h"
#include "preload/loader.h"

namespace preload::hardening {
namespace {

constexpr auto kLimit = std::chrono::seconds(60);

// The count of init runs that `plugin` exports; -1 when it cannot be read.
int InitRuns(Plugin* plugin) {
  absl::StatusOr<int*> runs = plugin->Lookup<int>("InitRuns");
  return runs.ok() ? **runs : -1;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "(unset)";
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Runs `body` in a child; a line on stderr says which check failed.
void ExpectInChild(const std::function<int()>& body) {
  const int code = RunInChild(body, kLimit);
  EXPECT_EQ(code, 0) << (code == -2 ? "the child died of a signal"
                         : code == -1 ? "the child did not finish in time"
                                      : "a check failed in the child");
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  return 1;
}

TEST(InitOnceTest, InitThatOpensItsOwnPluginIsRefusedNamingTheCycle) {
  ExpectInChild([] {
    ::setenv("HX_OPENER_A_OPENS", HX_OPENER_A, 1);
    Loader loader;
    absl::StatusOr<Plugin*> plugin = loader.Open(HX_OPENER_A);
    if (!plugin.ok()) return Fail(plugin.status().ToString());
    const std::string inner = Env("HX_OPENER_A_STATUS");
    if (!Contains(inner, "opened again while its own PRELOAD_PLUGIN_INIT is "
                         "running on this thread") ||
        !Contains(inner, "hx_opener_a.so's init opens ") ||
        !Contains(inner, "nothing more was mapped")) {
      return Fail("the init's own Open: " + inner);
    }
    if (InitRuns(*plugin) != 1) return Fail("init runs: " + std::to_string(InitRuns(*plugin)));
    return 0;
  });
}

TEST(InitOnceTest, CycleThroughTwoPluginsIsNamedWhole) {
  ExpectInChild([] {
    ::setenv("HX_OPENER_A_OPENS", HX_OPENER_B, 1);
    ::setenv("HX_OPENER_B_OPENS", HX_OPENER_A, 1);
    Loader loader;
    absl::StatusOr<Plugin*> a = loader.Open(HX_OPENER_A);
    if (!a.ok()) return Fail(a.status().ToString());
    // a's init opened b (ok); b's init opened a, which was refused.
    if (Env("HX_OPENER_A_STATUS") != "ok") {
      return Fail("a's init opening b: " + Env("HX_OPENER_A_STATUS"));
    }
    const std::string refused = Env("HX_OPENER_B_STATUS");
    const std::string cycle = std::string(HX_OPENER_A) + "'s init opens " +
                              HX_OPENER_B + "'s init opens " + HX_OPENER_A;
    if (!Contains(refused, cycle)) return Fail("b's init opening a: " + refused);
    if (InitRuns(*a) != 1) return Fail("a's init ran " + std::to_string(InitRuns(*a)));
    return 0;
  });
}

TEST(InitOnceTest, SameFileThroughTwoLoadersRunsItsInitOnce) {
  ExpectInChild([] {
    Loader first, second;
    absl::StatusOr<Plugin*> one = first.Open(HX_OPENER_A);
    absl::StatusOr<Plugin*> two = second.Open(HX_OPENER_A);
    if (!one.ok() || !two.ok()) return Fail("an Open failed");
    // One image: both loaders see the same counter, which counts one run.
    if (InitRuns(*one) != 1 || InitRuns(*two) != 1) {
      return Fail("init runs: " + std::to_string(InitRuns(*two)));
    }
    if (*(*one)->Lookup<int>("InitRuns") != *(*two)->Lookup<int>("InitRuns")) {
      return Fail("two images of one file");
    }
    return 0;
  });
}

// The rule is per mapped image: each sealed copy is a file of its own, so
// each runs its own init once.
TEST(InitOnceTest, EachSealedCopyIsAnImageOfItsOwn) {
  ExpectInChild([] {
    LoaderOptions sealed;
    sealed.sealed_copy = true;
    Loader first(sealed), second(sealed);
    absl::StatusOr<Plugin*> one = first.Open(HX_OPENER_A);
    absl::StatusOr<Plugin*> two = second.Open(HX_OPENER_A);
    if (!one.ok() || !two.ok()) return Fail("an Open failed");
    if (*(*one)->Lookup<int>("InitRuns") == *(*two)->Lookup<int>("InitRuns")) {
      return Fail("two sealed copies share an image");
    }
    if (InitRuns(*one) != 1 || InitRuns(*two) != 1) return Fail("init runs");
    return 0;
  });
}

// The trace says why the second loader did not run the init.
TEST(InitOnceTest, SecondLoaderTracesThatTheInitAlreadyRan) {
  ExpectInChild([] {
    Loader first;
    if (!first.Open(HX_OPENER_B).ok()) return Fail("first Open");
    std::string trace;
    LoaderOptions options;
    options.trace.load = true;
    options.trace.sink = [&trace](std::string_view line) {
      trace.append(line).push_back('\n');
    };
    Loader second(std::move(options));
    if (!second.Open(HX_OPENER_B).ok()) return Fail("second Open");
    if (!Contains(trace, "PRELOAD_PLUGIN_INIT already ran for this mapped image") ||
        Contains(trace, "running PRELOAD_PLUGIN_INIT")) {
      return Fail("trace:\n" + trace);
    }
    return 0;
  });
}

}  // namespace
}  // namespace preload::hardening
