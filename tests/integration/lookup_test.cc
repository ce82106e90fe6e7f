// Plugin::Lookup<T>: typed access to exports.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "test_support.h"

namespace preload {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class LookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Plugin*> plugin = loader_.Open(FX_GOOD);
    ASSERT_TRUE(plugin.ok()) << plugin.status();
    plugin_ = *plugin;
  }
  Loader loader_;
  Plugin* plugin_ = nullptr;
};

TEST_F(LookupTest, FunctionWithTheExportedTypeIsCallable) {
  absl::StatusOr<std::string (*)(const std::string&)> greet =
      plugin_->Lookup<std::string(const std::string&)>("Greet");
  ASSERT_TRUE(greet.ok()) << greet.status();
  EXPECT_EQ((*greet)("world"), "Hello, world!");
}

TEST_F(LookupTest, VariableIsReachedThroughAPointer) {
  absl::StatusOr<int*> answer = plugin_->Lookup<int>("Answer");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(**answer, 42);
  **answer = 43;
  EXPECT_EQ(**plugin_->Lookup<int>("Answer"), 43);
  **answer = 42;
}

TEST_F(LookupTest, UnknownNameIsNotFoundAndListsTheExports) {
  absl::StatusOr<int*> missing = plugin_->Lookup<int>("Question");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(testing::MessageOf(missing.status()),
              AllOf(HasSubstr("Question"), HasSubstr("Answer, Greet, InitRan")));
}

TEST_F(LookupTest, ParameterPassedByValueInsteadOfReferenceIsRefused) {
  auto greet = plugin_->Lookup<std::string(std::string)>("Greet");
  EXPECT_EQ(greet.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(testing::MessageOf(greet.status()),
              AllOf(HasSubstr("std::string(const std::string&)"),
                    HasSubstr("std::string(std::string)")));
}

TEST_F(LookupTest, MissingConstIsRefused) {
  auto greet = plugin_->Lookup<std::string(std::string&)>("Greet");
  EXPECT_EQ(greet.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(LookupTest, VariableOfAnotherTypeIsRefused) {
  auto answer = plugin_->Lookup<long>("Answer");
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(testing::MessageOf(answer.status()),
              AllOf(HasSubstr("as int"), HasSubstr("looked up as long")));
}

TEST_F(LookupTest, ExportNamesAreSorted) {
  EXPECT_THAT(plugin_->ExportNames(),
              ::testing::ElementsAre("Answer", "Greet", "InitRan"));
}

}  // namespace
}  // namespace preload
