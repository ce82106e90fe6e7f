// Host ABIs declared with add_preload_abi: name, version and the content hash
// of the headers. The test host provides testabi 1.1 (abi/v1_1/testabi.h).
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "test_support.h"

namespace preload {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using testing::OpenUnder;

TEST(HostAbiTest, HostRecordsTheAbiWithItsHeadersHash) {
  Loader loader;
  EXPECT_EQ(loader.host_fingerprint().Get("abi.testabi"), "1.1");
  const std::string hash(loader.host_fingerprint().Get("abi_hash.testabi").value_or(""));
  EXPECT_EQ(hash.size(), 16u);
}

TEST(HostAbiTest, SameVersionAndHeadersIsAcceptedByBothPolicies) {
  EXPECT_TRUE(OpenUnder(Policy::kStrict, FX_ABI_HEADERS_V1_1).ok());
  EXPECT_TRUE(OpenUnder(Policy::kCompatible, FX_ABI_HEADERS_V1_1).ok());
}

TEST(HostAbiTest, HeadersChangedWithoutVersionBumpIsRefusedByBothPolicies) {
  for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
    const absl::Status status = OpenUnder(policy, FX_ABI_HEADERS_V1_1_CHANGED);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(testing::MessageOf(status),
                AllOf(HasSubstr("abi_hash.testabi"),
                      HasSubstr("changed without a version bump"),
                      HasSubstr("testabi 1.1")));
  }
}

TEST(HostAbiTest, OlderMinorIsRefusedByStrictAndAcceptedByCompatible) {
  const absl::Status strict = OpenUnder(Policy::kStrict, FX_ABI_HEADERS_V1_0);
  EXPECT_EQ(strict.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(strict),
              AllOf(HasSubstr("abi.testabi: plugin has 1.0, host has 1.1"),
                    HasSubstr("rebuild the plugin against testabi 1.1")));
  // The hash of other versions' headers is not compared.
  EXPECT_TRUE(OpenUnder(Policy::kCompatible, FX_ABI_HEADERS_V1_0).ok());
}

TEST(HostAbiTest, MajorBumpIsRefusedByBothPolicies) {
  for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
    const absl::Status status = OpenUnder(policy, FX_ABI_HEADERS_V2_0);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(testing::MessageOf(status),
                HasSubstr("abi.testabi: plugin has 2.0, host has 1.1"));
  }
}

}  // namespace
}  // namespace preload
