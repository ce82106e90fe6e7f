// File descriptors (docs/security.md): a loaded plugin keeps one descriptor
// for the process's life, so the loader must not take the host's last ones,
// and running out must say so. Each case runs in a child process with a low
// RLIMIT_NOFILE, the descriptors below it filled with copies of stdin.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "fixture_paths.h"
#include "hardening_support.h"
#include "preload/loader.h"

namespace preload::hardening {
namespace {

constexpr rlim_t kLimit = 64;

int Fail(const std::string& what) {
  std::fprintf(stderr, "child: %s\n", what.c_str());
  return 1;
}

// Lowers the limit to kLimit and fills descriptors until the next one free
// would be `next_free` (kLimit: none left). The filled ones stay open.
bool FillDescriptorsUpTo(int next_free) {
  const struct rlimit limit = {kLimit, kLimit};
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  while (true) {
    const int fd = ::dup(STDIN_FILENO);
    if (fd < 0) return next_free >= static_cast<int>(kLimit);
    if (fd + 1 >= next_free) return true;
  }
}

bool Mentions(const absl::Status& status, const std::string& part) {
  return std::string(status.message()).find(part) != std::string::npos;
}

TEST(DescriptorTest, TheHostsLastDescriptorsAreNotTaken) {
  EXPECT_EQ(RunInChild([] {
    if (!FillDescriptorsUpTo(static_cast<int>(kLimit) - 4)) {
      return Fail("could not fill descriptors");
    }
    Loader loader;
    absl::StatusOr<Plugin*> plugin = loader.Open(HX_PROBE);
    if (plugin.status().code() != absl::StatusCode::kResourceExhausted ||
        !Mentions(plugin.status(), "RLIMIT_NOFILE") ||
        !Mentions(plugin.status(), "64")) {
      return Fail("not refused as exhausting descriptors: " +
                  plugin.status().ToString());
    }
    if (IsMapped(HX_PROBE)) return Fail("the plugin was mapped");
    return 0;
  }, std::chrono::seconds(60)), 0);
}

TEST(DescriptorTest, RunningOutIsResourceExhaustedNamingTheLimit) {
  EXPECT_EQ(RunInChild([] {
    if (!FillDescriptorsUpTo(static_cast<int>(kLimit))) {
      return Fail("could not fill descriptors");
    }
    Loader loader;
    absl::StatusOr<Fingerprint> verified = loader.Verify(HX_PROBE);
    if (verified.status().code() != absl::StatusCode::kResourceExhausted ||
        !Mentions(verified.status(), "RLIMIT_NOFILE")) {
      return Fail("not ResourceExhausted naming the limit: " +
                  verified.status().ToString());
    }
    return 0;
  }, std::chrono::seconds(60)), 0);
}

// The control: with descriptors to spare, the same plugin loads.
TEST(DescriptorTest, WithDescriptorsToSpareThePluginLoads) {
  EXPECT_EQ(RunInChild([] {
    if (!FillDescriptorsUpTo(static_cast<int>(kLimit) / 2)) {
      return Fail("could not fill descriptors");
    }
    Loader loader;
    absl::StatusOr<Plugin*> plugin = loader.Open(HX_PROBE);
    return plugin.ok() ? 0 : Fail(plugin.status().ToString());
  }, std::chrono::seconds(60)), 0);
}

}  // namespace
}  // namespace preload::hardening
