// Plugins built differently from the host are refused before they are
// mapped, with every differing field named.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "test_support.h"

namespace preload {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

using testing::OpenUnder;

TEST(RefusalTest, LegacyStringAbiIsRefusedUnmappedWithTheFix) {
  absl::Status status = OpenUnder(Policy::kStrict, FX_LEGACY_ABI);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(status),
              AllOf(HasSubstr(FX_LEGACY_ABI), HasSubstr("glibcxx.cxx11_abi"),
                    HasSubstr("plugin has 0, host has 1"),
                    HasSubstr("_GLIBCXX_USE_CXX11_ABI"),
                    HasSubstr("layout.std_string")));
  EXPECT_FALSE(testing::IsMapped(FX_LEGACY_ABI));
  EXPECT_FALSE(testing::ProbeRan("FX_LEGACY_ABI_RAN"));
}

TEST(RefusalTest, LegacyStringAbiIsRefusedEvenUnderCompatible) {
  absl::Status status = OpenUnder(Policy::kCompatible, FX_LEGACY_ABI);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(testing::ProbeRan("FX_LEGACY_ABI_RAN"));
}

TEST(RefusalTest, DebugModeIsRefusedUnmapped) {
  absl::Status status = OpenUnder(Policy::kCompatible, FX_DEBUG_MODE);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(status),
              AllOf(HasSubstr("glibcxx.debug"), HasSubstr("_GLIBCXX_DEBUG")));
  EXPECT_FALSE(testing::ProbeRan("FX_DEBUG_MODE_RAN"));
}

TEST(RefusalTest, RefusalNamesOnlyTheFieldsThatDiffer) {
  absl::Status status = OpenUnder(Policy::kStrict, FX_DEBUG_MODE);
  EXPECT_THAT(testing::MessageOf(status),
              AllOf(HasSubstr("\n  glibcxx.debug: "),
                    Not(HasSubstr("\n  compiler.version")),
                    Not(HasSubstr("\n  glibcxx.cxx11_abi")),
                    Not(HasSubstr("\n  flags."))));
}

TEST(RefusalTest, OlderAbiMinorIsRefusedByStrictAllowedByCompatible) {
  absl::Status strict = OpenUnder(Policy::kStrict, FX_ABI_OLDER_MINOR);
  EXPECT_EQ(strict.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(strict),
              AllOf(HasSubstr("abi.testhost"), HasSubstr("2.0"), HasSubstr("2.1")));
  EXPECT_TRUE(OpenUnder(Policy::kCompatible, FX_ABI_OLDER_MINOR).ok());
}

TEST(RefusalTest, NewerAbiMinorIsRefusedByBothPolicies) {
  EXPECT_FALSE(OpenUnder(Policy::kStrict, FX_ABI_NEWER_MINOR).ok());
  EXPECT_FALSE(OpenUnder(Policy::kCompatible, FX_ABI_NEWER_MINOR).ok());
}

TEST(RefusalTest, AbiMajorBumpIsRefusedByBothPolicies) {
  EXPECT_FALSE(OpenUnder(Policy::kStrict, FX_ABI_MAJOR).ok());
  absl::Status compatible = OpenUnder(Policy::kCompatible, FX_ABI_MAJOR);
  EXPECT_EQ(compatible.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(compatible), AllOf(HasSubstr("3.1"), HasSubstr("2.1")));
}

TEST(RefusalTest, AbiTheHostDoesNotProvideIsRefused) {
  absl::Status status = OpenUnder(Policy::kCompatible, FX_ABI_MISSING);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(testing::MessageOf(status), HasSubstr("abi.otherhost"));
}

}  // namespace
}  // namespace preload
