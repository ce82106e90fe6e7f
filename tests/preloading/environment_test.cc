// How the PRELOAD_* variables are read (preload::ReadEnvironment), in-process.
// Secure-execution mode needs a setgid process: preloading_test.py covers it.
#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/autoload.h"

namespace preload {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class EnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override { Clear(); }
  void TearDown() override { Clear(); }
  static void Clear() {
    for (const char* name : {"PRELOAD_PLUGINS", "PRELOAD_PLUGIN_PATH", "PRELOAD_POLICY",
                             "PRELOAD_STRICT", "PRELOAD_ALLOW_INSECURE", "PRELOAD_DEBUG"}) {
      ::unsetenv(name);
    }
  }
  static void Set(const char* name, const char* value) { ::setenv(name, value, 1); }
};

TEST_F(EnvironmentTest, NothingSetMeansTheDefaults) {
  EnvironmentSettings settings = ReadEnvironment();
  EXPECT_FALSE(settings.secure_mode);
  EXPECT_THAT(settings.plugins, IsEmpty());
  EXPECT_THAT(settings.search_path, IsEmpty());
  EXPECT_EQ(settings.policy, Policy::kStrict);
  EXPECT_FALSE(settings.fail_fast);
  EXPECT_FALSE(settings.allow_insecure);
  EXPECT_FALSE(settings.trace.search || settings.trace.verify || settings.trace.load);
  EXPECT_THAT(settings.warnings, IsEmpty());
}

TEST_F(EnvironmentTest, ListsKeepTheirOrderAndDropEmptyItems) {
  Set("PRELOAD_PLUGINS", ":manhole::./x/crash-handler.so:");
  Set("PRELOAD_PLUGIN_PATH", "/a::/b:");
  EnvironmentSettings settings = ReadEnvironment();
  EXPECT_THAT(settings.plugins, ElementsAre("manhole", "./x/crash-handler.so"));
  EXPECT_THAT(settings.search_path, ElementsAre("/a", "/b"));
}

TEST_F(EnvironmentTest, SwitchesAndPolicy) {
  Set("PRELOAD_POLICY", "compatible");
  Set("PRELOAD_STRICT", "1");
  Set("PRELOAD_ALLOW_INSECURE", "yes");
  EnvironmentSettings settings = ReadEnvironment();
  EXPECT_EQ(settings.policy, Policy::kCompatible);
  EXPECT_TRUE(settings.fail_fast);
  EXPECT_TRUE(settings.allow_insecure);
  LoaderOptions options = LoaderOptionsFor(settings);
  EXPECT_EQ(options.name, "autoload");
  EXPECT_EQ(options.policy, Policy::kCompatible);
  EXPECT_FALSE(options.check_file_trust);
}

// The loader reads no environment: LD_LIBRARY_PATH, which tells which of a
// plugin's $ORIGIN dependencies the dynamic linker finds by itself, reaches
// it through LoaderOptions, split at ':' and ';' as the dynamic linker
// splits it.
TEST_F(EnvironmentTest, LdLibraryPathIsPassedToTheLoader) {
  const char* before = std::getenv("LD_LIBRARY_PATH");
  const std::string saved = before == nullptr ? "" : before;
  Set("LD_LIBRARY_PATH", "/a:/b;/c");
  EnvironmentSettings settings = ReadEnvironment();
  if (before == nullptr) {
    ::unsetenv("LD_LIBRARY_PATH");
  } else {
    Set("LD_LIBRARY_PATH", saved.c_str());
  }
  EXPECT_THAT(settings.ld_library_path, ElementsAre("/a", "/b", "/c"));
  EXPECT_THAT(LoaderOptionsFor(settings).library_path, ElementsAre("/a", "/b", "/c"));
}

TEST_F(EnvironmentTest, ValuesNotUnderstoodFallToTheSafeSide) {
  Set("PRELOAD_POLICY", "lax");
  Set("PRELOAD_STRICT", "maybe");
  Set("PRELOAD_ALLOW_INSECURE", "please");
  EnvironmentSettings settings = ReadEnvironment();
  EXPECT_EQ(settings.policy, Policy::kStrict);
  EXPECT_TRUE(settings.fail_fast);
  EXPECT_FALSE(settings.allow_insecure);
  EXPECT_THAT(settings.warnings,
              ElementsAre(HasSubstr("PRELOAD_POLICY: unknown policy 'lax'"),
                          HasSubstr("PRELOAD_STRICT: 'maybe' is neither 1 nor 0 (on: 1, "
                                    "true, yes, on; off: 0, false, no, off or empty); "
                                    "read as 1"),
                          HasSubstr("PRELOAD_ALLOW_INSECURE: 'please' is neither 1 nor 0 "
                                    "(on: 1, true, yes, on; off: 0, false, no, off or "
                                    "empty); read as 0")));
}

TEST_F(EnvironmentTest, DebugHelpIsAskedForNotWarnedAbout) {
  Set("PRELOAD_DEBUG", "help");
  EnvironmentSettings settings = ReadEnvironment();
  EXPECT_TRUE(settings.debug_help);
  EXPECT_THAT(settings.warnings, ::testing::IsEmpty());
}

TEST_F(EnvironmentTest, DebugCategories) {
  Set("PRELOAD_DEBUG", "search,load");
  EnvironmentSettings settings = ReadEnvironment();
  EXPECT_TRUE(settings.trace.search);
  EXPECT_FALSE(settings.trace.verify);
  EXPECT_TRUE(settings.trace.load);
  Set("PRELOAD_DEBUG", "ALL");
  settings = ReadEnvironment();
  EXPECT_TRUE(settings.trace.search && settings.trace.verify && settings.trace.load);
  Set("PRELOAD_DEBUG", "verify,noise");
  settings = ReadEnvironment();
  EXPECT_TRUE(settings.trace.verify);
  EXPECT_THAT(settings.warnings, ElementsAre(HasSubstr("unknown category 'noise'")));
}

}  // namespace
}  // namespace preload
