// PRELOAD_PLUGIN_INIT: runs once after verification; failures unregister.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "test_support.h"

namespace preload {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(InitTest, InitRunsBeforeTheHostSeesThePlugin) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_GOOD);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  absl::StatusOr<bool*> init_ran = (*plugin)->Lookup<bool>("InitRan");
  ASSERT_TRUE(init_ran.ok()) << init_ran.status();
  EXPECT_TRUE(**init_ran);
}

TEST(InitTest, PluginWithoutInitLoads) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_NO_INIT);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  auto twice = (*plugin)->Lookup<int(int)>("Twice");
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_EQ((*twice)(21), 42);
}

TEST(InitTest, InitErrorIsReportedAndThePluginIsNotRegistered) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_INIT_FAILS);
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(plugin.status()),
              AllOf(HasSubstr("PRELOAD_PLUGIN_INIT failed"),
                    HasSubstr("not registered"), HasSubstr("UNAVAILABLE"),
                    HasSubstr("the fixture's backing service is down")));
  EXPECT_TRUE(loader.plugins().empty());
}

TEST(InitTest, InitExceptionIsReportedWithoutCrossingIntoTheHost) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_INIT_THROWS);
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(plugin.status()),
              AllOf(HasSubstr("threw std::exception"),
                    HasSubstr("the fixture threw on purpose")));
  EXPECT_TRUE(loader.plugins().empty());
}

TEST(InitTest, FailedInitDoesNotPoisonTheNextAttempt) {
  Loader loader;
  EXPECT_FALSE(loader.Open(FX_INIT_FAILS).ok());
  absl::StatusOr<Plugin*> again = loader.Open(FX_INIT_FAILS);
  // Same outcome for the same file: the failure is not cached as something else.
  EXPECT_THAT(testing::MessageOf(again.status()), HasSubstr("PRELOAD_PLUGIN_INIT failed"));
  EXPECT_TRUE(loader.Open(FX_NO_INIT).ok());
}

}  // namespace
}  // namespace preload
