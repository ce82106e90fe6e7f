// The requirement grammar of <preload/requirements.h>: what the loader reads
// back from a note's `requires` field. Bad input gets InvalidArgument with a
// message that says what is wrong; nothing else.
#include "preload/requirements.h"

#include <string>

#include "gtest/gtest.h"

namespace preload {
namespace {

std::string MessageOf(const absl::Status& status) {
  return std::string(status.message());
}

TEST(ParseRequirement, NameAlone) {
  absl::StatusOr<Requirement> r = ParseRequirement("codec_core.v2-x");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->name, "codec_core.v2-x");
  EXPECT_EQ(r->op, Requirement::Op::kAny);
  EXPECT_EQ(r->ToString(), "codec_core.v2-x");
  EXPECT_TRUE(r->SatisfiedBy(""));
  EXPECT_TRUE(r->SatisfiedBy("9.9.9"));
}

TEST(ParseRequirement, EachOperator) {
  struct Case {
    const char* text;
    Requirement::Op op;
    const char* version;
  } cases[] = {{"a>=1.2", Requirement::Op::kAtLeast, "1.2"},
               {"a==1.2.3", Requirement::Op::kEqual, "1.2.3"},
               {"a^0.1", Requirement::Op::kCompatible, "0.1"}};
  for (const Case& c : cases) {
    absl::StatusOr<Requirement> r = ParseRequirement(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status();
    EXPECT_EQ(r->name, "a");
    EXPECT_EQ(r->op, c.op);
    EXPECT_EQ(r->version, c.version);
    EXPECT_EQ(r->ToString(), c.text);
  }
}

TEST(ParseRequirement, BadInputIsNamedWithWhatIsWrong) {
  struct Case {
    const char* text;
    const char* why;
  } cases[] = {
      {"", "empty"},
      {">=1.2", "starts with the plugin's name"},
      {"1abc", "a plugin's name starts with a letter"},
      {"_a", "a plugin's name starts with a letter"},
      {"a>1.2", "\">\" after the name is neither"},
      {"a=1.2", "\"=\" after the name is neither"},
      {"a~1.2", "\"~\" after the name is neither"},
      {"a>=", "the version after the operator is missing"},
      {"a^", "the version after the operator is missing"},
      {"a>=1", "\"1\" is not a version"},
      {"a>=1.2.3.4", "\"1.2.3.4\" is not a version"},
      {"a>=01.2", "\"01.2\" is not a version"},
      {"a>=1.-2", "\"1.-2\" is not a version"},
      {"a>=1..2", "\"1..2\" is not a version"},
      {"a>=1.2.", "\"1.2.\" is not a version"},
      {"a>=1234567890.0", "\"1234567890.0\" is not a version"},
      {"a>=>=1.2", "\">=1.2\" is not a version"},
      {"a>=1.2 ", "\"1.2 \" is not a version"},
      {"a\n>=1.2", "\"\\n\" after the name"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Requirement> r = ParseRequirement(c.text);
    ASSERT_FALSE(r.ok()) << "accepted: " << c.text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(MessageOf(r.status()).find(c.why), std::string::npos)
        << c.text << ": " << r.status();
    EXPECT_NE(MessageOf(r.status()).find("expected NAME, NAME>=VERSION"),
              std::string::npos);
  }
}

TEST(ParseRequirements, SpaceSeparatedEachNameOnce) {
  absl::StatusOr<std::vector<Requirement>> none = ParseRequirements("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  absl::StatusOr<std::vector<Requirement>> two = ParseRequirements("a>=1.2 c");
  ASSERT_TRUE(two.ok()) << two.status();
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].ToString(), "a>=1.2");
  EXPECT_EQ((*two)[1].ToString(), "c");
  EXPECT_NE(MessageOf(ParseRequirements("a c a>=1.0").status()).find(
                "\"a\" is named twice"),
            std::string::npos);
  EXPECT_NE(MessageOf(ParseRequirements("a  c").status()).find("empty"),
            std::string::npos);
  EXPECT_FALSE(ParseRequirements(" a").ok());
  EXPECT_FALSE(ParseRequirements("a ").ok());
}

TEST(SatisfiedBy, AtLeast) {
  const Requirement r = *ParseRequirement("a>=1.2");
  EXPECT_TRUE(r.SatisfiedBy("1.2"));
  EXPECT_TRUE(r.SatisfiedBy("1.2.0"));
  EXPECT_TRUE(r.SatisfiedBy("1.10.0"));  // numbers, not text
  EXPECT_TRUE(r.SatisfiedBy("2.0.0"));
  EXPECT_FALSE(r.SatisfiedBy("1.1.9"));
  EXPECT_FALSE(r.SatisfiedBy(""));       // no version
  EXPECT_FALSE(r.SatisfiedBy("1.2.x"));  // not a version
}

TEST(SatisfiedBy, EqualLeavesAMissingPatchOpen) {
  const Requirement minor = *ParseRequirement("a==1.2");
  EXPECT_TRUE(minor.SatisfiedBy("1.2.0"));
  EXPECT_TRUE(minor.SatisfiedBy("1.2.7"));
  EXPECT_FALSE(minor.SatisfiedBy("1.3.0"));
  const Requirement patch = *ParseRequirement("a==1.2.3");
  EXPECT_TRUE(patch.SatisfiedBy("1.2.3"));
  EXPECT_FALSE(patch.SatisfiedBy("1.2.4"));
  EXPECT_FALSE(patch.SatisfiedBy("1.2"));
}

TEST(SatisfiedBy, CompatibleFollowsSemanticVersioning) {
  const Requirement major = *ParseRequirement("a^1.2.3");
  EXPECT_TRUE(major.SatisfiedBy("1.2.3"));
  EXPECT_TRUE(major.SatisfiedBy("1.9.0"));
  EXPECT_FALSE(major.SatisfiedBy("1.2.2"));
  EXPECT_FALSE(major.SatisfiedBy("2.0.0"));
  const Requirement zero = *ParseRequirement("a^0.3");
  EXPECT_TRUE(zero.SatisfiedBy("0.3.5"));
  EXPECT_FALSE(zero.SatisfiedBy("0.4.0"));
  EXPECT_FALSE(zero.SatisfiedBy("0.2.9"));
  const Requirement patch_only = *ParseRequirement("a^0.0.4");
  EXPECT_TRUE(patch_only.SatisfiedBy("0.0.4"));
  EXPECT_FALSE(patch_only.SatisfiedBy("0.0.5"));
}

TEST(RequirementsOf, ReadsTheFieldAndNamesThePluginWhenMalformed) {
  const Fingerprint none = Fingerprint::FromFields({{"kind", "plugin"}, {"name", "b"}});
  ASSERT_TRUE(RequirementsOf(none).ok());
  EXPECT_TRUE(RequirementsOf(none)->empty());
  const Fingerprint good = Fingerprint::FromFields(
      {{"kind", "plugin"}, {"name", "b"}, {"requires", "a>=1.2 c"}});
  ASSERT_TRUE(RequirementsOf(good).ok());
  EXPECT_EQ(RequirementsOf(good)->size(), 2u);
  const Fingerprint bad = Fingerprint::FromFields(
      {{"kind", "plugin"}, {"name", "b"}, {"requires", "a>1"}});
  absl::StatusOr<std::vector<Requirement>> parsed = RequirementsOf(bad);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(MessageOf(parsed.status()).find("plugin 'b': its fingerprint's "
                                            "requires field is malformed"),
            std::string::npos)
      << parsed.status();
}

}  // namespace
}  // namespace preload
