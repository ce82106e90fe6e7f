// File descriptors (docs/security.md): a loaded plugin keeps one descriptor
// for the process's life, so the loader must not take the host's last ones.
// Each case runs in a child process with a low RLIMIT_NOFILE, the
// descriptors below it filled (descriptor_support.h). Running out entirely
// is descriptor_exhausted_test.cc.
#include <chrono>
#include <string>

#include "descriptor_support.h"
#include "gtest/gtest.h"
#include "fixture_paths.h"
#include "hardening_support.h"
#include "preload/loader.h"

namespace preload::hardening {
namespace {

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
