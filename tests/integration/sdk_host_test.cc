// A host that did not call target_preload_host is compared as the SDK.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "preload/policy.h"
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

// The likeliest mistake named: the refusal says the host has no fingerprint
// of its own and that target_preload_host is the fix.
TEST(SdkHostTest, RefusalSaysTheHostHasNoFingerprintOfItsOwn) {
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_GOOD);
  ASSERT_FALSE(plugin.ok());
  const std::string message = testing::MessageOf(plugin.status());
  EXPECT_THAT(message, ::testing::HasSubstr(std::string(NoHostFingerprintHint())));
  EXPECT_THAT(message, ::testing::HasSubstr("target_preload_host(<target> ...)"));
}

}  // namespace
}  // namespace preload
