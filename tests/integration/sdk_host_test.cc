// A host that did not call target_preload_host is compared as the SDK.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "test_support.h"

namespace preload {
namespace {

TEST(SdkHostTest, HostWithoutNoteUsesTheSdkFingerprint) {
  Loader loader;
  EXPECT_EQ(loader.host_fingerprint().kind(), "sdk");
  EXPECT_EQ(loader.host_fingerprint().name(), "PreloadSDK");
}

TEST(SdkHostTest, PluginBuiltLikeTheSdkLoads) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_NO_INIT);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
}

TEST(SdkHostTest, PluginNeedingAHostAbiIsRefusedByTheSdk) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_GOOD);
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(plugin.status()), ::testing::HasSubstr("abi.testhost"));
}

}  // namespace
}  // namespace preload
