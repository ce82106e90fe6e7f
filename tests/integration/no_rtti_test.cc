// Typed exports work, and check types exactly, with RTTI off on both sides:
// the type spelling comes from templates, not from typeid.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "fixture_paths.h"
#include "preload/loader.h"

namespace preload {
namespace {

#if defined(__cpp_rtti) || defined(__GXX_RTTI)
#error "this test must be compiled with -fno-rtti"
#endif

TEST(NoRttiTest, LookupChecksTypesWithoutRtti) {
  Loader loader;
  ASSERT_EQ(loader.host_fingerprint().Get("cxx.rtti"), "0");
  absl::StatusOr<Plugin*> plugin = loader.Open(FX_NO_RTTI);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  auto greet = (*plugin)->Lookup<std::string(const std::string&)>("Greet");
  ASSERT_TRUE(greet.ok()) << greet.status();
  EXPECT_EQ((*greet)("rtti"), "Hello, rtti!");
  auto wrong = (*plugin)->Lookup<std::string(std::string&)>("Greet");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(wrong.status().message()),
              ::testing::HasSubstr("std::string(std::string&)"));
}

}  // namespace
}  // namespace preload
