// Plugins whose fingerprint verifies but which cannot be loaded: the export
// descriptor hidden by a version script, a symbol defined nowhere (and, for
// the descriptors they hold, a failing init). Each is a
// clear error naming the file, the plugin is not registered, and the process
// goes on loading other plugins, the same path too once the file is fixed.
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "test_support.h"

namespace preload {
namespace {

namespace fs = std::filesystem;

using ::testing::AllOf;
using ::testing::HasSubstr;

// After a failed Open: nothing of the plugin is left in the loader, in the
// process's registry or in memory, and a good plugin still loads.
void ExpectNothingLeftBehind(Loader& loader, std::size_t registered_before,
                             const char* failed) {
  EXPECT_TRUE(loader.plugins().empty());
  EXPECT_EQ(LoadedPlugins().size(), registered_before);
  EXPECT_FALSE(testing::IsMapped(failed));
  absl::StatusOr<Plugin*> good = loader.Open(FX_NO_INIT);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(LoadedPlugins().size(), registered_before + 1);
}

TEST(LoadFailureTest, HiddenExportDescriptorIsNamedWithTheFix) {
  Loader loader;
  // What makes this case: the file passes verification, so only the load can
  // find that its entries are out of reach.
  ASSERT_TRUE(loader.Verify(FX_HIDDEN_DESCRIPTOR).ok());
  const std::size_t registered_before = LoadedPlugins().size();
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_HIDDEN_DESCRIPTOR);
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition)
      << plugin.status();
  EXPECT_THAT(testing::MessageOf(plugin.status()),
              AllOf(HasSubstr(FX_HIDDEN_DESCRIPTOR),
                    HasSubstr("no export descriptor"),
                    HasSubstr("'preload_descriptor_"),
                    HasSubstr("version script"),
                    HasSubstr("preload_descriptor_*")));
  ExpectNothingLeftBehind(loader, registered_before, FX_HIDDEN_DESCRIPTOR);
}

TEST(LoadFailureTest, UnresolvedSymbolIsNamedAndNoneOfThePluginRuns) {
  Loader loader;
  ASSERT_TRUE(loader.Verify(FX_UNRESOLVED_SYMBOL).ok());
  const std::size_t registered_before = LoadedPlugins().size();
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_UNRESOLVED_SYMBOL);
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition)
      << plugin.status();
  EXPECT_THAT(testing::MessageOf(plugin.status()),
              AllOf(HasSubstr(FX_UNRESOLVED_SYMBOL),
                    HasSubstr("undefined symbol"),
                    HasSubstr("preload_fixture_defined_nowhere")));
  // RTLD_NOW: the reference fails the load before any constructor runs.
  EXPECT_FALSE(testing::ProbeRan("FX_UNRESOLVED_SYMBOL_RAN"));
  ExpectNothingLeftBehind(loader, registered_before, FX_UNRESOLVED_SYMBOL);
}

// `failing` copied to a fresh path fails to load; a good build renamed into
// its place, as an installer fixes it, then loads from that same path.
void ExpectTheFixedFileLoadsFromTheSamePath(const char* failing) {
  const fs::path dir = testing::UniqueTempDir();
  const fs::path path = dir / "plugin.so";
  fs::copy_file(failing, path, fs::copy_options::overwrite_existing);
  Loader loader;
  ASSERT_FALSE(loader.Open(path.string()).ok());

  const fs::path staged = dir / "staged.so";
  fs::copy_file(FX_NO_INIT, staged, fs::copy_options::overwrite_existing);
  ASSERT_EQ(std::rename(staged.c_str(), path.c_str()), 0);
  absl::StatusOr<Plugin*> fixed = loader.Open(path.string());
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  auto twice = (*fixed)->Lookup<int(int)>("Twice");
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_EQ((*twice)(21), 42);
  EXPECT_EQ(loader.plugins().size(), 1u);
}

TEST(LoadFailureTest, HiddenDescriptorDoesNotPoisonTheFixedFile) {
  ExpectTheFixedFileLoadsFromTheSamePath(FX_HIDDEN_DESCRIPTOR);
}

TEST(LoadFailureTest, UnresolvedSymbolDoesNotPoisonTheFixedFile) {
  ExpectTheFixedFileLoadsFromTheSamePath(FX_UNRESOLVED_SYMBOL);
}

std::size_t OpenDescriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry :
       fs::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

// A plugin refused after dlopen gives its descriptor back: a host that
// retries must not run out of them.
TEST(LoadFailureTest, RepeatedFailedLoadsKeepNoDescriptor) {
  for (const char* failing :
       {FX_HIDDEN_DESCRIPTOR, FX_INIT_FAILS, FX_UNRESOLVED_SYMBOL}) {
    Loader loader;
    ASSERT_FALSE(loader.Open(failing).ok());  // the first may open libraries
    const std::size_t before = OpenDescriptors();
    for (int i = 0; i < 10; ++i) ASSERT_FALSE(loader.Open(failing).ok());
    EXPECT_EQ(OpenDescriptors(), before) << failing;
  }
}

}  // namespace
}  // namespace preload
