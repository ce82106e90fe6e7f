// Opening plugins: identity, sharing, files that are not plugins.
#include "preload/loader.h"

#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace preload {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

TEST(LoaderTest, HostFingerprintIsTheExecutablesOwnNote) {
  Loader loader;
  EXPECT_EQ(loader.host_fingerprint().kind(), "host");
  EXPECT_EQ(loader.host_fingerprint().name(), "loader_test");
  EXPECT_EQ(loader.host_fingerprint().HostAbis().at("testhost"), "2.1");
}

TEST(LoaderTest, OpensAPluginBuiltLikeTheHost) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_GOOD);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ((*plugin)->name(), "fx_good");
  EXPECT_EQ((*plugin)->fingerprint().version(), "1.2.0");
  EXPECT_EQ((*plugin)->path(), testing::RealPathOf(FX_GOOD));
  EXPECT_TRUE(testing::IsMapped(FX_GOOD));
  EXPECT_THAT(loader.plugins(), ::testing::ElementsAre(*plugin));
}

TEST(LoaderTest, EachPluginOpenedInTurnIsItsOwnLibrary) {
  Loader loader;
  absl::StatusOr<Plugin*> good = loader.Open(FX_GOOD);
  ASSERT_TRUE(good.ok()) << good.status();
  absl::StatusOr<Plugin*> no_init = loader.Open(FX_NO_INIT);
  ASSERT_TRUE(no_init.ok()) << no_init.status();
  EXPECT_NE(*good, *no_init);
  auto twice = (*no_init)->Lookup<int(int)>("Twice");
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_EQ((*twice)(4), 8);
  auto greet = (*good)->Lookup<std::string(const std::string&)>("Greet");
  ASSERT_TRUE(greet.ok()) << greet.status();
  EXPECT_EQ((*greet)("x"), "Hello, x!");
  EXPECT_TRUE(testing::IsMapped(FX_NO_INIT));
}

// The plugin is mapped through /proc/self/fd, where $ORIGIN would mean
// /proc/self/fd: its $ORIGIN dependencies must still be found beside it.
TEST(LoaderTest, DependencyFoundThroughOriginLoads) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_ORIGIN);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  auto describe = (*plugin)->Lookup<std::string()>("Describe");
  ASSERT_TRUE(describe.ok()) << describe.status();
  EXPECT_EQ((*describe)(), "found next to the plugin");
}

TEST(LoaderTest, FlagsThatDoNotChangeTheAbiAreAccepted) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_HARMLESS_FLAGS);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_THAT(std::string((*plugin)->fingerprint().Get("flags.options").value_or("")),
              HasSubstr("-O0"));
}

TEST(LoaderTest, StrippedPluginStillVerifiesAndLoads) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_GOOD_STRIPPED);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  absl::StatusOr<int*> answer = (*plugin)->Lookup<int>("Answer");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(**answer, 42);
}

TEST(LoaderTest, OpeningTheSameFileTwiceReturnsTheSamePlugin) {
  Loader loader;
  absl::StatusOr<Plugin*> first = loader.Open(FX_NO_INIT);
  ASSERT_TRUE(first.ok()) << first.status();
  const fs::path link = fs::path(testing::UniqueTempDir()) / "no_init_link.so";
  fs::remove(link);
  fs::create_symlink(FX_NO_INIT, link);
  absl::StatusOr<Plugin*> second = loader.Open(link.string());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(loader.plugins().size(), 1u);
}

TEST(LoaderTest, AnotherFileClaimingALoadedNameIsRefused) {
  Loader loader;
  ASSERT_TRUE(loader.Open(FX_NO_INIT).ok());
  const fs::path copy = fs::path(testing::UniqueTempDir()) / "no_init_copy.so";
  fs::copy_file(FX_NO_INIT, copy, fs::copy_options::overwrite_existing);
  absl::StatusOr<Plugin*> second = loader.Open(copy.string());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(testing::MessageOf(second.status()), HasSubstr("plugin already loaded"));
  EXPECT_THAT(testing::MessageOf(second.status()), HasSubstr("fx_no_init"));
}

TEST(LoaderTest, MissingFileIsNotFound) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open("/nonexistent/plugin.so");
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(testing::MessageOf(plugin.status()), HasSubstr("/nonexistent/plugin.so"));
}

TEST(LoaderTest, DirectoryIsNotARegularFile) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(::testing::TempDir());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(testing::MessageOf(plugin.status()), HasSubstr("not a regular file"));
}

TEST(LoaderTest, LibraryWithoutFingerprintIsRefusedUnmapped) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_PLAIN_MODULE);
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(testing::MessageOf(plugin.status()), HasSubstr("not a PreloadSDK plugin"));
  EXPECT_THAT(testing::MessageOf(plugin.status()), HasSubstr(FX_PLAIN_MODULE));
  EXPECT_FALSE(testing::IsMapped(FX_PLAIN_MODULE));
  EXPECT_FALSE(testing::ProbeRan("FX_PLAIN_RAN"));
}

TEST(LoaderTest, VerifyMapsNothing) {
  Loader loader;
  absl::StatusOr<Fingerprint> fingerprint = loader.Verify(FX_VERIFY_ONLY);
  ASSERT_TRUE(fingerprint.ok()) << fingerprint.status();
  EXPECT_EQ(fingerprint->name(), "fx_verify_only");
  EXPECT_FALSE(testing::IsMapped(FX_VERIFY_ONLY));
  EXPECT_FALSE(testing::ProbeRan("FX_VERIFY_ONLY_RAN"));
  EXPECT_TRUE(loader.plugins().empty());
}

TEST(LoaderTest, ConcurrentOpensOfOnePluginLoadItOnce) {
  Loader loader;
  constexpr int kThreads = 8;
  std::vector<Plugin*> seen(kThreads, nullptr);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&loader, &seen, i] {
      absl::StatusOr<Plugin*> plugin = loader.Open(FX_GOOD);
      if (!plugin.ok()) return;
      auto greet = (*plugin)->Lookup<std::string(const std::string&)>("Greet");
      if (greet.ok() && (**greet)("t") == "Hello, t!") seen[i] = *plugin;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (Plugin* plugin : seen) {
    ASSERT_NE(plugin, nullptr);
    EXPECT_EQ(plugin, seen[0]);
  }
  EXPECT_EQ(loader.plugins().size(), 1u);
}

}  // namespace
}  // namespace preload
