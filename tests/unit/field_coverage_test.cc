// The fingerprint's fields have one source of truth: every key the template
// (templates/fingerprint.cc.j2) can write has an explicit rule in the policy
// layer's table, and every CPU feature it can record is one the run-time
// check knows. A key without a rule would silently be "informational", never
// compared; a feature the check does not know would refuse every plugin
// built with it as "missing". Both are read from the template itself, so a
// field added there without a rule fails here.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/internal/field_rules.h"
#include "preload/cpu.h"
#include "preload/fingerprint.h"

namespace preload {
namespace {

std::string ReadTemplate() {
  std::ifstream in(PRELOAD_TEMPLATE_DIR "/fingerprint.cc.j2");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct TemplateKeys {
  std::vector<std::string> keys;
  // Calls that write a field in a way this test cannot read: it must learn
  // them, or it would miss their keys.
  std::vector<std::string> unread;
};

// b.Field("key", ...), b.Layout("key", ...), b.Version("key", ...);
// b.Text("key=") where a field is written piece by piece; and
// b.Field({{ ("abi." ~ abi.name) | cpp_string }}, ...), a field per host ABI,
// read as "abi.example".
TemplateKeys KeysOf(const std::string& text) {
  static const std::regex kCall(R"(\bb\.(Field|Layout|Version)\()");
  static const std::regex kLiteral(R"(\bb\.(?:Field|Layout|Version)\("([^"]+)\")");
  static const std::regex kPerAbi(R"(\bb\.Field\(\{\{ \("([a-z_]+\.)\" ~)");
  static const std::regex kPieces(R"(\bb\.Text\("([a-z_.]+)=\"\))");
  TemplateKeys found;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, kPieces)) {
      found.keys.push_back(match[1]);
    } else if (std::regex_search(line, match, kLiteral)) {
      found.keys.push_back(match[1]);
    } else if (std::regex_search(line, match, kPerAbi)) {
      found.keys.push_back(std::string(match[1]) + "example");
    } else if (std::regex_search(line, kCall)) {
      found.unread.push_back(line);
    }
  }
  return found;
}

// The names between b.Text("cpu.features=") and the end of that field.
std::vector<std::string> CpuFeaturesOf(const std::string& text) {
  static const std::regex kFeature(R"(\bb\.Text\("([a-z0-9.\-]+),"\))");
  const std::size_t start = text.find("b.Text(\"cpu.features=\")");
  const std::size_t end = text.find("b.Text(\"baseline\")", start);
  std::vector<std::string> features;
  if (start == std::string::npos || end == std::string::npos) return features;
  const std::string region = text.substr(start, end - start);
  for (std::sregex_iterator it(region.begin(), region.end(), kFeature), last;
       it != last; ++it) {
    features.push_back((*it)[1]);
  }
  return features;
}

TEST(FieldCoverage, TheTemplateWritesOnlyFieldsThisTestCanRead) {
  const TemplateKeys found = KeysOf(ReadTemplate());
  EXPECT_THAT(found.unread, testing::IsEmpty());
  // Far fewer would mean the template moved or this reader broke.
  EXPECT_GT(found.keys.size(), 40u);
}

TEST(FieldCoverage, EveryFieldTheTemplateCanWriteHasARule) {
  std::vector<std::string> without_rule;
  for (const std::string& key : KeysOf(ReadTemplate()).keys) {
    if (!internal::HasRule(key)) without_rule.push_back(key);
  }
  EXPECT_THAT(without_rule, testing::IsEmpty())
      << "add each to kRules in sdk/policy/internal/field_rules.cc and to "
         "docs/fingerprint.md";
}

TEST(FieldCoverage, EveryFieldOfThisBuildsFingerprintHasARule) {
  for (const auto& [key, value] : SdkFingerprint().fields()) {
    EXPECT_TRUE(internal::HasRule(key)) << key << "=" << value;
  }
}

TEST(FieldCoverage, EveryCpuFeatureTheTemplateCanRecordIsKnownToTheCheck) {
  const std::vector<std::string> features = CpuFeaturesOf(ReadTemplate());
  EXPECT_GT(features.size(), 20u);
  std::vector<std::string> unknown;
  for (const std::string& feature : features) {
    if (!IsKnownCpuFeature(feature)) unknown.push_back(feature);
  }
  EXPECT_THAT(unknown, testing::IsEmpty())
      << "add each to kCpuFeatures in sdk/policy/cpu.cc";
}

TEST(FieldCoverage, AFieldNoTemplateWritesHasNoRule) {
  // What the two tests above rely on: HasRule is not true of everything.
  EXPECT_FALSE(internal::HasRule("future.field"));
  EXPECT_FALSE(internal::HasRule("layout"));  // the prefix is "layout."
  EXPECT_TRUE(internal::HasRule("layout.anything"));
  EXPECT_FALSE(IsKnownCpuFeature("avx10000"));
}

}  // namespace
}  // namespace preload
