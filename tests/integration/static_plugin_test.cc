// Static plugins: linked into this test program with add_preload_plugin(...
// STATIC) and target_link_libraries, opened through the same API as files.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "fixture_paths.h"
#include "test_support.h"

extern "C" int fx_static_init_fails_runs;  // fixtures/static_init_fails.cc

namespace preload {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;

LoaderOptions Traced(std::vector<std::string>& lines) {
  LoaderOptions options;
  options.trace.search = options.trace.verify = options.trace.load = true;
  options.trace.sink = [&lines](std::string_view line) {
    lines.emplace_back(line);
  };
  return options;
}

std::string Greeting(const Plugin& plugin) {
  auto greet = plugin.Lookup<std::string(const std::string&)>("Greet");
  return greet.ok() ? (*greet)("world") : greet.status().ToString();
}

TEST(StaticPluginTest, OpenFindsTheLinkedInPluginBeforeSearchingFiles) {
  std::vector<std::string> trace;
  Loader loader(Traced(trace));
  absl::StatusOr<Plugin*> plugin = loader.Open("fx_static_hello");
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_TRUE((*plugin)->is_static());
  EXPECT_EQ((*plugin)->name(), "fx_static_hello");
  EXPECT_EQ((*plugin)->fingerprint().version(), "1.0.0");
  EXPECT_THAT(trace, Contains(AllOf(HasSubstr("static plugin 'fx_static_hello'"),
                                    HasSubstr("no file is searched"))));
  EXPECT_THAT(trace, Contains(HasSubstr("fingerprint accepted")));
  EXPECT_EQ(Greeting(**plugin), "Hello, world!");
}

TEST(StaticPluginTest, OpeningAgainReturnsTheSamePlugin) {
  Loader loader;
  absl::StatusOr<Plugin*> first = loader.Open("fx_static_hello");
  absl::StatusOr<Plugin*> second = loader.Open("fx_static_hello");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(loader.plugins().size(), 1u);
}

TEST(StaticPluginTest, InitRunsOncePerProcessWhateverTheLoaders) {
  Loader one;
  Loader two;
  absl::StatusOr<Plugin*> a = one.Open("fx_static_hello");
  absl::StatusOr<Plugin*> b = two.Open("fx_static_hello");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  absl::StatusOr<int*> count = (*b)->Lookup<int>("InitCount");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(**count, 1);
}

TEST(StaticPluginTest, InitRunsOnceWhenManyThreadsOpenItAtOnce) {
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<Loader>> loaders;
  for (int i = 0; i < kThreads; ++i) loaders.push_back(std::make_unique<Loader>());
  std::vector<absl::Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = loaders[i]->Open("fx_static_hola").status();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& result : results) EXPECT_TRUE(result.ok()) << result;
  absl::StatusOr<Plugin*> plugin = loaders[0]->Open("fx_static_hola");
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  absl::StatusOr<int*> count = (*plugin)->Lookup<int>("InitCount");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(**count, 1);
}

TEST(StaticPluginTest, TwoStaticPluginsExportTheSameName) {
  Loader loader;
  absl::StatusOr<Plugin*> hello = loader.Open("fx_static_hello");
  absl::StatusOr<Plugin*> hola = loader.Open("fx_static_hola");
  ASSERT_TRUE(hello.ok()) << hello.status();
  ASSERT_TRUE(hola.ok()) << hola.status();
  EXPECT_EQ(Greeting(**hello), "Hello, world!");
  EXPECT_EQ(Greeting(**hola), "Hola, world!");
  EXPECT_THAT((*hola)->ExportNames(),
              ::testing::ElementsAre("Greet", "InitCount"));
}

TEST(StaticPluginTest, OneSourceWorksAsSharedAndAsStaticPlugin) {
  Loader loader;
  absl::StatusOr<Plugin*> linked = loader.Open("fx_static_hello");
  absl::StatusOr<Plugin*> shared = loader.Open(FX_SHARED_HELLO);
  ASSERT_TRUE(linked.ok()) << linked.status();
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_FALSE((*shared)->is_static());
  EXPECT_EQ(Greeting(**shared), "Hello, world!");
  absl::StatusOr<int*> linked_count = (*linked)->Lookup<int>("InitCount");
  absl::StatusOr<int*> shared_count = (*shared)->Lookup<int>("InitCount");
  ASSERT_TRUE(linked_count.ok() && shared_count.ok());
  EXPECT_NE(*linked_count, *shared_count);  // two copies, each initialised
  EXPECT_EQ(**shared_count, 1);
}

TEST(StaticPluginTest, StaticPluginBuiltWithAnotherAbiIsRefusedNamingFields) {
  std::vector<std::string> trace;
  Loader loader(Traced(trace));
  absl::StatusOr<Plugin*> plugin = loader.Open("fx_static_legacy_abi");
  ASSERT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition)
      << plugin.status();
  EXPECT_THAT(testing::MessageOf(plugin.status()),
              AllOf(HasSubstr("static plugin 'fx_static_legacy_abi'"),
                    HasSubstr("glibcxx.cxx11_abi: plugin has 0, host has 1"),
                    HasSubstr("layout.std_string")));
  EXPECT_THAT(trace, Contains(HasSubstr("fingerprint refused")));
  EXPECT_TRUE(loader.plugins().empty());
  // Verify gives the same answer (and the refused init never ran: it aborts).
  EXPECT_EQ(loader.Verify("fx_static_legacy_abi").status(), plugin.status());
}

TEST(StaticPluginTest, AFailedInitIsReportedAndNeverRunAgain) {
  Loader loader;
  absl::Status first = loader.Open("fx_static_init_fails").status();
  EXPECT_EQ(first.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(first),
              AllOf(HasSubstr("static plugin 'fx_static_init_fails'"),
                    HasSubstr("PRELOAD_PLUGIN_INIT failed"),
                    HasSubstr("once per process"),
                    HasSubstr("the fixture's service is down")));
  EXPECT_TRUE(loader.plugins().empty());
  Loader other;
  EXPECT_EQ(other.Open("fx_static_init_fails").status(), first);
  EXPECT_EQ(loader.Open("fx_static_init_fails").status(), first);
  EXPECT_EQ(fx_static_init_fails_runs, 1);
}

TEST(StaticPluginTest, VerifyGivesTheLinkedInPluginsFingerprint) {
  Loader loader;
  absl::StatusOr<Fingerprint> fingerprint = loader.Verify("fx_static_hola");
  ASSERT_TRUE(fingerprint.ok()) << fingerprint.status();
  EXPECT_EQ(fingerprint->name(), "fx_static_hola");
  EXPECT_EQ(fingerprint->kind(), "plugin");
}

TEST(StaticPluginTest, OtherNamesAreStillSearchedInFiles) {
  std::vector<std::string> trace;
  LoaderOptions options = Traced(trace);
  options.default_search_path = false;
  Loader loader(std::move(options));
  EXPECT_EQ(loader.Open("fx_no_such_plugin").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(trace, Contains(HasSubstr("no static plugin of that name")));
}

TEST(StaticPluginTest, LoadedPluginsListsItAsStatic) {
  Loader loader(LoaderOptions{Policy::kStrict, {}, {}, true, true, false, {}, {},
                              "static-test"});
  ASSERT_TRUE(loader.Open("fx_static_hola").ok());
  bool listed = false;
  for (const LoadedPlugin& plugin : LoadedPlugins()) {
    if (plugin.loader != "static-test") continue;
    listed = true;
    EXPECT_TRUE(plugin.is_static);
    EXPECT_EQ(plugin.fingerprint.name(), "fx_static_hola");
  }
  EXPECT_TRUE(listed);
}

}  // namespace
}  // namespace preload
