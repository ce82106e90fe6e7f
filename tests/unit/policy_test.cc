// Copyright the PreloadSDK authors.
#include "preload/policy.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "sample_payload.h"
#include "preload/fingerprint.h"

namespace preload {
namespace {

using testing::kSample;

constexpr Outcome kEqual = Outcome::kEqual;
constexpr Outcome kAllowed = Outcome::kAllowed;
constexpr Outcome kRefused = Outcome::kRefused;
constexpr Outcome kInfo = Outcome::kInformational;

Fingerprint Sample() {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(kSample);
  EXPECT_TRUE(fp.ok()) << fp.status();
  return fp.ok() ? *std::move(fp) : Fingerprint::FromFields({});
}

// `fp` with `key` set to `value` (appended when absent).
Fingerprint With(const Fingerprint& fp, std::string_view key,
                 std::string_view value) {
  std::vector<FingerprintField> fields = fp.fields();
  for (FingerprintField& field : fields) {
    if (field.key == key) {
      field.value = std::string(value);
      return Fingerprint::FromFields(std::move(fields));
    }
  }
  fields.push_back({std::string(key), std::string(value)});
  return Fingerprint::FromFields(std::move(fields));
}

Fingerprint Without(const Fingerprint& fp, std::string_view key) {
  std::vector<FingerprintField> fields;
  for (const FingerprintField& field : fp.fields()) {
    if (field.key != key) fields.push_back(field);
  }
  return Fingerprint::FromFields(std::move(fields));
}

// The comparison of `field` in `verdict`; fails the test when absent.
FieldComparison Find(const Verdict& verdict, std::string_view field) {
  for (const FieldComparison& c : verdict.comparisons()) {
    if (c.field == field) return c;
  }
  ADD_FAILURE() << "no comparison of " << field;
  return FieldComparison{};
}

::testing::AssertionResult Contains(std::string_view text,
                                    std::string_view part) {
  if (text.find(part) != std::string_view::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not contain \"" << part << "\"";
}

// ------------------------------------------------------------------------
// One field of the plugin differs from the host's sample.

struct Row {
  const char* name;  // the test's name
  std::string_view field;
  std::string_view plugin_value;
  Outcome strict;
  Outcome compatible;
  std::string_view hint;  // part of the hint of each refusal
};

// gtest would print a Row as its bytes, pointers included; its name says it.
void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

class OneFieldDiffers : public ::testing::TestWithParam<Row> {};

TEST_P(OneFieldDiffers, HasTheOutcomeAndHintOfItsRule) {
  const Row& row = GetParam();
  const Fingerprint host = Sample();
  const Fingerprint plugin = With(host, row.field, row.plugin_value);
  for (auto [policy, expected] :
       {std::pair(Policy::kStrict, row.strict),
        std::pair(Policy::kCompatible, row.compatible)}) {
    SCOPED_TRACE(PolicyName(policy));
    const Verdict verdict = Compare(host, plugin, policy);
    const FieldComparison c = Find(verdict, row.field);
    EXPECT_EQ(OutcomeName(c.outcome), OutcomeName(expected));
    EXPECT_EQ(c.plugin_value, row.plugin_value);
    EXPECT_EQ(c.host_value, *host.Get(row.field));
    EXPECT_EQ(verdict.accepted(), expected != kRefused);
    if (expected == kRefused) {
      EXPECT_TRUE(Contains(c.hint, row.hint));
    } else {
      EXPECT_EQ(c.hint, "");
    }
  }
}

const Row kRows[] = {
    // The SDK's contract and the machine: equal under both policies.
    {"SdkAbiRefused", "sdk.abi", "2", kRefused, kRefused,
     "rebuild the plugin with PreloadSDK 0.1.0"},
    {"TargetArchRefused", "target.arch", "aarch64", kRefused, kRefused,
     "build the plugin for the host's target (x86_64 linux, 64-bit pointers, "
     "little-endian)"},
    {"TargetOsRefused", "target.os", "freebsd", kRefused, kRefused,
     "host's target"},
    {"PointerBitsRefused", "target.pointer_bits", "32", kRefused, kRefused,
     "drop -m32"},
    {"ByteOrderRefused", "target.byte_order", "big", kRefused, kRefused,
     "little-endian"},
    // The toolchain: strict only.
    {"CompilerIdAllowedWhenCompatible", "compiler.id", "clang", kRefused,
     kAllowed,
     "rebuild the plugin with the host's compiler (gcc 12.2.0), or use the "
     "compatible policy"},
    {"CompilerVersionAllowedWhenCompatible", "compiler.version", "13.1.0",
     kRefused, kAllowed, "(gcc 12.2.0), or use the compatible policy"},
    {"CxxStandard20AllowedWhenCompatible", "cxx.standard", "202002", kRefused,
     kAllowed,
     "rebuild the plugin with -std=c++17 like the host (the plugin uses "
     "C++20), or use the compatible policy"},
    {"CxxStandard14AllowedWhenCompatible", "cxx.standard", "201402", kRefused,
     kAllowed, "(the plugin uses C++14)"},
    {"CxxStandard23AllowedWhenCompatible", "cxx.standard", "202100", kRefused,
     kAllowed, "(the plugin uses C++23)"},
    // Language and library settings: equal under both policies.
    {"NoExceptionsRefused", "cxx.exceptions", "0", kRefused, kRefused,
     "rebuild the plugin without -fno-exceptions"},
    {"NoRttiRefused", "cxx.rtti", "0", kRefused, kRefused,
     "rebuild the plugin without -fno-rtti"},
    {"OtherGccAbiVersionRefused", "cxx.gxx_abi", "1011", kRefused, kRefused,
     "the plugin is built for GCC's C++ ABI version 1011, the host for 1017 "
     "(-fabi-version=N, or another GCC release)"},
    {"ClangWithoutGccAbiVersionAllowed", "cxx.gxx_abi", "n/a", kAllowed,
     kAllowed, ""},
    {"NoAlignedNewRefused", "cxx.aligned_new", "0", kRefused, kRefused,
     "rebuild the plugin without -fno-aligned-new"},
    {"NoWeakRefused", "cxx.weak", "0", kRefused, kRefused,
     "rebuild the plugin without -fno-weak"},
    {"OtherStandardLibraryRefused", "stdlib.name", "libc++", kRefused, kRefused,
     "-stdlib=libstdc++"},
    {"OlderStdlibReleaseAllowedWhenCompatible", "stdlib.release", "11",
     kRefused, kAllowed,
     "rebuild the plugin against the host's libstdc++ 12, or use the "
     "compatible policy"},
    {"NewerStdlibReleaseRefused", "stdlib.release", "13", kRefused, kRefused,
     "libstdc++ 13, newer than the host's 12"},
    {"StdlibReleaseNotANumberRefused", "stdlib.release", "unknown", kRefused,
     kRefused, "libstdc++ 12"},
    {"OldStringAbiRefused", "glibcxx.cxx11_abi", "0", kRefused, kRefused,
     "rebuild the plugin without -D_GLIBCXX_USE_CXX11_ABI=0 (the host uses "
     "the new std::string ABI)"},
    {"NoStringAbiRefused", "glibcxx.cxx11_abi", "n/a", kRefused, kRefused,
     "the host's setting of -D_GLIBCXX_USE_CXX11_ABI=0 (host: 1, plugin: "
     "n/a)"},
    {"DebugContainersRefused", "glibcxx.debug", "1", kRefused, kRefused,
     "rebuild the plugin without -D_GLIBCXX_DEBUG"},
    {"AssertionsInformational", "glibcxx.assertions", "1", kInfo, kInfo, ""},
    {"SanitizerRefused", "sanitizers", "address", kRefused, kRefused,
     "build the plugin with the host's sanitizers (host: none, plugin: "
     "address)"},
    {"AbseilLtsRefused", "absl.lts", "20230125", kRefused, kRefused,
     "rebuild the plugin against the host's Abseil (LTS 20220623, inline "
     "namespace debian3)"},
    {"AbseilNamespaceRefused", "absl.namespace", "lts_20220623", kRefused,
     kRefused, "inline namespace debian3"},
    {"AbseilStdAnyRefused", "absl.std_any", "1", kRefused, kRefused,
     "absl::any is std::any in the plugin's build"},
    {"AbseilStdOptionalRefused", "absl.std_optional", "1", kRefused, kRefused,
     "absl::optional is std::optional in the plugin's build"},
    {"AbseilStdStringViewRefused", "absl.std_string_view", "1", kRefused,
     kRefused, "absl::string_view is std::string_view"},
    {"AbseilStdVariantRefused", "absl.std_variant", "1", kRefused, kRefused,
     "absl::variant is std::variant"},
    {"StringLayoutRefused", "layout.std_string", "8/8", kRefused, kRefused,
     "the size of std::string differs"},
    {"VectorLayoutRefused", "layout.std_vector", "48/8", kRefused, kRefused,
     "std::vector<int>"},
    {"FunctionLayoutRefused", "layout.std_function", "16/4", kRefused, kRefused,
     "the size and alignment of std::function<void()> differ"},
    {"LongDoubleLayoutRefused", "layout.long_double", "8/8", kRefused, kRefused,
     "-mlong-double-64"},
    {"LongDoubleAlignmentRefused", "layout.long_double", "16/8", kRefused,
     kRefused, "the alignment of long double differs"},
    {"MaxAlignLayoutRefused", "layout.max_align_t", "24/8", kRefused, kRefused,
     "std::max_align_t"},
    {"WcharLayoutRefused", "layout.wchar_t", "2/2", kRefused, kRefused,
     "-fshort-wchar; compare the flags.* fields"},
    {"LongLayoutRefused", "layout.long", "4/4", kRefused, kRefused, "-m32"},
    {"EnumLayoutRefused", "layout.enum", "1/1", kRefused, kRefused,
     "-fshort-enums"},
    // Host ABIs the plugin requires.
    {"AbiEqualWithPatch", "abi.myapp", "2.1.0", kEqual, kEqual, ""},
    {"AbiOlderMinorAllowedWhenCompatible", "abi.myapp", "2.0", kRefused,
     kAllowed,
     "the plugin was built against myapp ABI 2.0, the host provides 2.1: "
     "rebuild the plugin against myapp 2.1, or use the compatible policy"},
    {"AbiOtherPatchAllowedWhenCompatible", "abi.myapp", "2.1.7", kRefused,
     kAllowed, "rebuild the plugin against myapp 2.1"},
    {"AbiNewerMinorRefused", "abi.myapp", "2.2", kRefused, kRefused,
     "the plugin requires myapp ABI 2.2, newer than the host's 2.1: rebuild "
     "the host with myapp 2.2, or rebuild the plugin against myapp 2.1"},
    {"AbiNewerMajorRefused", "abi.myapp", "3.0", kRefused, kRefused,
     "rebuild the host with myapp 3.0"},
    {"AbiOlderMajorRefused", "abi.myapp", "1.9", kRefused, kRefused,
     "rebuild the plugin against myapp 2.1"},
    {"AbiNotAVersionRefused", "abi.myapp", "2.x", kRefused, kRefused,
     "MAJOR.MINOR[.PATCH]"},
    // Identity and raw flags: never compared.
    {"KindInformational", "kind", "host", kInfo, kInfo, ""},
    {"NameInformational", "name", "other", kInfo, kInfo, ""},
    {"VersionInformational", "version", "9.9", kInfo, kInfo, ""},
    {"DescriptorInformational", "descriptor", "x", kInfo, kInfo, ""},
    {"SdkVersionInformational", "sdk.version", "0.2.0", kInfo, kInfo, ""},
    {"BuildConfigInformational", "build.config", "Debug", kInfo, kInfo, ""},
    {"FlagsCxxInformational", "flags.cxx", "-O0 -g", kInfo, kInfo, ""},
    {"FlagsOptionsInformational", "flags.options", "-Wall", kInfo, kInfo, ""},
    {"FlagsDefinitionsInformational", "flags.definitions", "X=1", kInfo, kInfo,
     ""},
    {"FlagsFeaturesInformational", "flags.features", "cxx_std_20", kInfo, kInfo,
     ""},
};

INSTANTIATE_TEST_SUITE_P(PolicyRules, OneFieldDiffers,
                         ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           return info.param.name;
                         });

// ------------------------------------------------------------------------
// Whole verdicts.

TEST(Compare, AcceptsIdenticalBuildsWithEveryFieldEqualOrInformational) {
  const Fingerprint fp = Sample();
  for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
    const Verdict verdict = Compare(fp, fp, policy);
    EXPECT_TRUE(verdict.accepted());
    ASSERT_EQ(verdict.comparisons().size(), fp.fields().size());
    EXPECT_EQ(Find(verdict, "glibcxx.cxx11_abi").outcome, kEqual);
    EXPECT_EQ(Find(verdict, "abi.myapp").outcome, kEqual);
    EXPECT_EQ(Find(verdict, "name").outcome, kInfo);
    for (const FieldComparison& c : verdict.comparisons()) {
      EXPECT_TRUE(c.outcome == kEqual || c.outcome == kInfo) << c.field;
      EXPECT_TRUE(c.plugin_present && c.host_present) << c.field;
    }
  }
}

TEST(Compare, ListsPluginFieldsInPayloadOrderThenHostOnlyFields) {
  const Fingerprint host = Fingerprint::FromFields(
      {{"b", "1"}, {"host.only", "x"}, {"a", "1"}, {"abi.extra", "1.0"}});
  const Fingerprint plugin =
      Fingerprint::FromFields({{"a", "1"}, {"plugin.only", "y"}, {"b", "2"}});
  const Verdict verdict = Compare(host, plugin, Policy::kStrict);
  std::vector<std::string> order;
  for (const FieldComparison& c : verdict.comparisons())
    order.push_back(c.field);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "plugin.only", "b",
                                             "host.only", "abi.extra"}));
  EXPECT_EQ(verdict.policy(), Policy::kStrict);
}

TEST(Compare, RefusesAPluginAbiTheHostDoesNotProvide) {
  const Fingerprint plugin = Sample();
  const Fingerprint host = Without(plugin, "abi.myapp");
  for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
    const FieldComparison c = Find(Compare(host, plugin, policy), "abi.myapp");
    EXPECT_EQ(c.outcome, kRefused);
    EXPECT_FALSE(c.host_present);
    EXPECT_EQ(c.host_value, "");
    EXPECT_TRUE(Contains(c.hint, "the host provides no \"myapp\" ABI"));
    EXPECT_TRUE(Contains(c.hint, "myapp 2.1"));
  }
}

TEST(Compare, TreatsAnAbiOnlyTheHostProvidesAsInformational) {
  const Fingerprint plugin = Sample();
  const Fingerprint host = With(plugin, "abi.render", "4.0");
  for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
    const Verdict verdict = Compare(host, plugin, policy);
    const FieldComparison c = Find(verdict, "abi.render");
    EXPECT_EQ(c.outcome, kInfo);
    EXPECT_FALSE(c.plugin_present);
    EXPECT_TRUE(verdict.accepted());
  }
}

TEST(Compare, TreatsUnknownKeysAsInformational) {
  const Fingerprint base = Sample();
  const Fingerprint plugin =
      With(With(base, "future.plugin_only", "1"), "future.both", "a");
  const Fingerprint host =
      With(With(base, "future.host_only", "1"), "future.both", "b");
  for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
    const Verdict verdict = Compare(host, plugin, policy);
    EXPECT_TRUE(verdict.accepted());
    EXPECT_EQ(Find(verdict, "future.plugin_only").outcome, kInfo);
    EXPECT_EQ(Find(verdict, "future.host_only").outcome, kInfo);
    EXPECT_EQ(Find(verdict, "future.both").outcome, kInfo);
  }
}

TEST(Compare, RefusesAKnownFieldMissingFromThePlugin) {
  const Fingerprint host = Sample();
  const Fingerprint plugin = Without(host, "glibcxx.cxx11_abi");
  for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
    const FieldComparison c =
        Find(Compare(host, plugin, policy), "glibcxx.cxx11_abi");
    EXPECT_EQ(c.outcome, kRefused);
    EXPECT_FALSE(c.plugin_present);
    EXPECT_TRUE(c.host_present);
    EXPECT_EQ(c.plugin_value, "");
    EXPECT_TRUE(
        Contains(c.hint, "build both with the same PreloadSDK version"));
  }
}

TEST(Compare, RefusesAKnownFieldMissingFromTheHost) {
  const Fingerprint plugin = Sample();
  const Fingerprint host =
      With(Without(plugin, "compiler.id"), "sdk.version", "0.0.9");
  const FieldComparison c =
      Find(Compare(host, plugin, Policy::kCompatible), "compiler.id");
  EXPECT_EQ(c.outcome, kRefused);
  EXPECT_FALSE(c.host_present);
  EXPECT_TRUE(Contains(c.hint, "(plugin: 0.1.0, host: 0.0.9)"));
}

TEST(Compare, RefusesALayoutProbeOnlyOneSideHas) {
  const Fingerprint host = Sample();
  const Fingerprint plugin = With(host, "layout.std_map", "48/8");
  const FieldComparison c =
      Find(Compare(host, plugin, Policy::kCompatible), "layout.std_map");
  EXPECT_EQ(c.outcome, kRefused);
  EXPECT_TRUE(Contains(c.hint, "same PreloadSDK version"));
}

TEST(Compare, AsksForTheHostsSanitizersWhenOnlyTheHostHasThem) {
  const Fingerprint plugin = Sample();
  const Fingerprint host = With(plugin, "sanitizers", "address,thread");
  const FieldComparison c =
      Find(Compare(host, plugin, Policy::kCompatible), "sanitizers");
  EXPECT_EQ(c.outcome, kRefused);
  EXPECT_TRUE(Contains(c.hint,
                       "(host: address,thread, plugin: none): "
                       "-fsanitize=address,thread"));
}

// matrix rows asan_host_only and asan_plugin_only: only an uninstrumented
// plugin in an AddressSanitizer host works, and only compatible takes it.
TEST(Compare, CompatibleAcceptsAPlainPluginInAnAddressSanitizerHost) {
  const Fingerprint plugin = Sample();
  const Fingerprint host = With(plugin, "sanitizers", "address");
  const FieldComparison strict =
      Find(Compare(host, plugin, Policy::kStrict), "sanitizers");
  EXPECT_EQ(strict.outcome, kRefused);
  EXPECT_TRUE(Contains(strict.hint, "-fsanitize=address, or use the "
                                    "compatible policy"));
  EXPECT_EQ(Find(Compare(host, plugin, Policy::kCompatible), "sanitizers")
                .outcome,
            kAllowed);
  // The other direction, and other sanitizers, stay refused.
  EXPECT_EQ(Find(Compare(plugin, host, Policy::kCompatible), "sanitizers")
                .outcome,
            kRefused);
  const Fingerprint thread_host = With(plugin, "sanitizers", "thread");
  EXPECT_EQ(Find(Compare(thread_host, plugin, Policy::kCompatible),
                 "sanitizers").outcome,
            kRefused);
}

TEST(Compare, IgnoresAnInformationalFieldMissingFromTheHost) {
  const Fingerprint plugin = Sample();
  const Fingerprint host = Without(plugin, "descriptor");  // hosts have none
  const Verdict verdict = Compare(host, plugin, Policy::kStrict);
  EXPECT_EQ(Find(verdict, "descriptor").outcome, kInfo);
  EXPECT_TRUE(verdict.accepted());
}

TEST(Compare, GivesEveryRefusalOfAKnownFieldAHint) {
  const Fingerprint host = Sample();
  for (const FingerprintField& field : host.fields()) {
    for (const Fingerprint& plugin :
         {With(host, field.key, "zzz"), Without(host, field.key)}) {
      const Verdict verdict = Compare(host, plugin, Policy::kStrict);
      for (const FieldComparison& c : verdict.Refusals()) {
        EXPECT_NE(c.hint, "") << c.field << " plugin " << c.plugin_value;
      }
    }
  }
}

// The fields of the sample whose change to "zzz" `policy` accepts.
std::vector<std::string> FieldsAcceptedWhenChanged(Policy policy) {
  const Fingerprint host = Sample();
  std::vector<std::string> accepted;
  for (const FingerprintField& field : host.fields()) {
    if (Compare(host, With(host, field.key, "zzz"), policy).accepted()) {
      accepted.push_back(field.key);
    }
  }
  return accepted;
}

TEST(Compare, StrictRefusesAChangeToAnyFieldButIdentityAndFlags) {
  EXPECT_EQ(FieldsAcceptedWhenChanged(Policy::kStrict),
            (std::vector<std::string>{
                "kind", "name", "version", "descriptor", "sdk.version",
                "glibcxx.assertions", "build.config", "flags.cxx",
                "flags.options", "flags.definitions", "flags.features"}));
}

TEST(Compare, CompatibleAlsoAcceptsAnyCompilerAndStandardLevel) {
  EXPECT_EQ(FieldsAcceptedWhenChanged(Policy::kCompatible),
            (std::vector<std::string>{
                "kind", "name", "version", "descriptor", "sdk.version",
                "compiler.id", "compiler.version", "cxx.standard",
                "glibcxx.assertions", "build.config", "flags.cxx",
                "flags.options", "flags.definitions", "flags.features"}));
}

// ------------------------------------------------------------------------
// Rendering.

TEST(Verdict, StatusNamesFileEveryRefusedFieldBothValuesAndHint) {
  const Fingerprint host = Sample();
  const Fingerprint plugin =
      With(With(host, "glibcxx.cxx11_abi", "0"), "layout.std_string", "8/8");
  const absl::Status status =
      Compare(host, plugin, Policy::kStrict).ToStatus("plugins/old.so");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  const std::string_view message(status.message().data(),
                                 status.message().size());
  EXPECT_EQ(message.substr(0, message.find('\n')),
            "plugins/old.so: refused under the strict policy: 2 fields "
            "differ from the host's build");
  EXPECT_TRUE(Contains(
      message,
      "\n  glibcxx.cxx11_abi: plugin has 0, host has 1; rebuild the plugin "
      "without -D_GLIBCXX_USE_CXX11_ABI=0 (the host uses the new std::string "
      "ABI)"));
  EXPECT_TRUE(Contains(message,
                       "\n  layout.std_string: plugin has 8/8, host has 32/8; "
                       "the size of std::string differs"));
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 2);
}

TEST(Verdict, StatusNamesThePolicyAndASingleField) {
  const Fingerprint host = Sample();
  const Fingerprint plugin = With(host, "sanitizers", "address");
  const absl::Status status =
      Compare(host, plugin, Policy::kCompatible).ToStatus("p.so");
  EXPECT_TRUE(Contains(status.ToString(),
                       "p.so: refused under the compatible policy: 1 field "
                       "differs from the host's build\n  sanitizers: plugin "
                       "has address, host has none; build the plugin"));
}

// A host built without target_preload_host is compared through the SDK's
// own fingerprint (kind "sdk"): the refusal says so and names the fix.
TEST(Verdict, RefusalAgainstTheSdkSaysTheHostHasNoFingerprint) {
  const Fingerprint sdk = With(Without(Sample(), "abi.myapp"), "kind", "sdk");
  const Fingerprint plugin = With(Sample(), "abi.myapp", "2.1");
  const Verdict verdict = Compare(sdk, plugin, Policy::kStrict);
  EXPECT_TRUE(verdict.host_is_sdk());
  const std::string message(verdict.ToStatus("p.so").message());
  EXPECT_TRUE(Contains(message, "\n  abi.myapp: plugin has 2.1, host has no such field"));
  EXPECT_TRUE(Contains(message, "\n  " + std::string(NoHostFingerprintHint())));
  EXPECT_TRUE(Contains(NoHostFingerprintHint(), "target_preload_host(<target> ...)"));
}

TEST(Verdict, RefusalAgainstAHostNeedsNoSuchHint) {
  const Fingerprint host = With(Sample(), "kind", "host");
  const Fingerprint plugin = With(host, "glibcxx.cxx11_abi", "0");
  const Verdict verdict = Compare(host, plugin, Policy::kStrict);
  EXPECT_FALSE(verdict.host_is_sdk());
  const std::string message(verdict.ToStatus("p.so").message());
  EXPECT_FALSE(Contains(message, "no fingerprint of its own"));
}

TEST(Verdict, AcceptedVerdictIsOkStatus) {
  const Fingerprint host = Sample();
  const Fingerprint plugin = With(host, "compiler.id", "clang");
  const Verdict verdict = Compare(host, plugin, Policy::kCompatible);
  EXPECT_TRUE(verdict.accepted());
  EXPECT_TRUE(verdict.ToStatus("p.so").ok());
  EXPECT_EQ(verdict.DescribeRefusals(), "");
  EXPECT_TRUE(verdict.Refusals().empty());
}

TEST(Verdict, RefusalsKeepOnlyRefusedFieldsInOrder) {
  const Fingerprint host = Sample();
  const Fingerprint plugin =
      With(With(With(host, "compiler.id", "clang"), "cxx.rtti", "0"),
           "sanitizers", "thread");
  const std::vector<FieldComparison> refusals =
      Compare(host, plugin, Policy::kCompatible).Refusals();
  ASSERT_EQ(refusals.size(), 2u);
  EXPECT_EQ(refusals[0].field, "cxx.rtti");
  EXPECT_EQ(refusals[1].field, "sanitizers");
}

TEST(Verdict, DescribesAMissingValueAndAnEmptyValue) {
  const Fingerprint host = With(Sample(), "sanitizers", "");
  const Fingerprint plugin =
      Without(With(Sample(), "sanitizers", "address"), "cxx.rtti");
  const std::string lines =
      Compare(host, plugin, Policy::kStrict).DescribeRefusals();
  EXPECT_TRUE(
      Contains(lines, "  sanitizers: plugin has address, host has \"\";"));
  EXPECT_TRUE(
      Contains(lines, "  cxx.rtti: plugin has no such field, host has 1;"));
  EXPECT_EQ(lines.back(), ')');  // no trailing newline
}

// The accept path decides refusals without spelling out every field; the
// full list, built later, must agree with it field for field.
TEST(Verdict, RefusalsAreExactlyTheRefusedComparisons) {
  const Fingerprint sample = Sample();
  std::vector<std::pair<Fingerprint, Fingerprint>> cases;  // host, plugin
  for (const FingerprintField& field : sample.fields()) {
    cases.emplace_back(sample, With(sample, field.key, "zzz"));
    cases.emplace_back(sample, Without(sample, field.key));
    cases.emplace_back(Without(sample, field.key), sample);
  }
  for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
    for (const auto& [host, plugin] : cases) {
      const Verdict verdict = Compare(host, plugin, policy);
      std::vector<FieldComparison> refused;
      for (const FieldComparison& c : verdict.comparisons()) {
        if (c.outcome == kRefused) refused.push_back(c);
      }
      const std::vector<FieldComparison> refusals = verdict.Refusals();
      ASSERT_EQ(refusals.size(), refused.size());
      EXPECT_EQ(verdict.accepted(), refused.empty());
      for (std::size_t i = 0; i < refused.size(); ++i) {
        EXPECT_EQ(refusals[i].field, refused[i].field);
        EXPECT_EQ(refusals[i].plugin_value, refused[i].plugin_value);
        EXPECT_EQ(refusals[i].host_value, refused[i].host_value);
        EXPECT_EQ(refusals[i].plugin_present, refused[i].plugin_present);
        EXPECT_EQ(refusals[i].host_present, refused[i].host_present);
        EXPECT_EQ(refusals[i].hint, refused[i].hint);
      }
    }
  }
}

TEST(Verdict, ListsItsComparisonsAfterTheFingerprintsAreGone) {
  std::optional<Verdict> verdict;
  {
    const Fingerprint host = Sample();
    verdict = Compare(host, With(host, "cxx.rtti", "0"), Policy::kStrict);
  }
  ASSERT_EQ(verdict->comparisons().size(), Sample().fields().size());
  EXPECT_EQ(Find(*verdict, "cxx.rtti").plugin_value, "0");
  EXPECT_EQ(Find(*verdict, "cxx.rtti").outcome, kRefused);
}

TEST(Verdict, ListsItsComparisonsOnceForAllThreads) {
  const Fingerprint host = Sample();
  const Verdict verdict =
      Compare(host, With(host, "name", "x"), Policy::kStrict);
  std::vector<const std::vector<FieldComparison>*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = &verdict.comparisons(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto* comparisons : seen) {
    EXPECT_EQ(comparisons, &verdict.comparisons());
  }
  EXPECT_EQ(verdict.comparisons().size(), host.fields().size());
}

TEST(Verdict, KeepsTheComparisonsItIsGiven) {
  FieldComparison equal;
  equal.field = "a";
  equal.outcome = kEqual;
  FieldComparison refused;
  refused.field = "b";
  refused.outcome = kRefused;
  refused.hint = "fix b";
  const Verdict verdict(Policy::kCompatible, {equal, refused});
  ASSERT_EQ(verdict.comparisons().size(), 2u);
  EXPECT_EQ(verdict.comparisons()[1].field, "b");
  EXPECT_FALSE(verdict.accepted());
  ASSERT_EQ(verdict.Refusals().size(), 1u);
  EXPECT_EQ(verdict.DescribeRefusals(),
            "  b: plugin has no such field, host has no such field; fix b");
}

// ------------------------------------------------------------------------
// Names.

TEST(PolicyNames, ParsePolicyReadsWhatPolicyNameWrites) {
  for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
    absl::StatusOr<Policy> parsed = ParsePolicy(PolicyName(policy));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, policy);
  }
  EXPECT_EQ(PolicyName(Policy::kStrict), "strict");
  EXPECT_EQ(PolicyName(Policy::kCompatible), "compatible");
}

TEST(PolicyNames, ParsePolicyRefusesAnythingElseNamingIt) {
  for (std::string_view text : {"Strict", "", "compatible ", "lax"}) {
    absl::StatusOr<Policy> parsed = ParsePolicy(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(
        Contains(parsed.status().ToString(), "\"" + std::string(text) + "\""));
  }
}

TEST(PolicyNames, OutcomeNamesAreShortWords) {
  EXPECT_EQ(OutcomeName(Outcome::kEqual), "equal");
  EXPECT_EQ(OutcomeName(Outcome::kAllowed), "allowed");
  EXPECT_EQ(OutcomeName(Outcome::kRefused), "refused");
  EXPECT_EQ(OutcomeName(Outcome::kInformational), "info");
}

}  // namespace
}  // namespace preload

namespace preload {
namespace {

TEST(Compare, NamesTheOtherStandardLibraryAsTheReasonForItsConsequences) {
  const Fingerprint host = Fingerprint::Parse(testing::kSample).value();
  std::vector<FingerprintField> fields = host.fields();
  for (FingerprintField& field : fields) {
    if (field.key == "stdlib.name") field.value = "libc++";
    if (field.key == "stdlib.release") field.value = "14000";
    if (field.key == "glibcxx.cxx11_abi") field.value = "n/a";
  }
  const Fingerprint plugin = Fingerprint::FromFields(std::move(fields));
  const Verdict verdict = Compare(host, plugin, Policy::kCompatible);
  for (const FieldComparison& c : verdict.Refusals()) {
    if (c.field == "stdlib.name") {
      EXPECT_NE(c.hint.find("-stdlib=libstdc++"), std::string::npos) << c.hint;
    } else {
      EXPECT_EQ(c.hint,
                "follows from the different standard library (see stdlib.name)")
          << c.field;
    }
  }
  EXPECT_EQ(verdict.Refusals().size(), 3u);
}

}  // namespace
}  // namespace preload
