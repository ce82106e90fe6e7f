// Copyright the PreloadSDK authors.
//
// The loader's quick path (policy/internal/host_model.h,
// fingerprint/internal/known_lines.h) against the plain one: for every field
// of a real payload changed, dropped or repeated, the quick parse gives
// Fingerprint::Parse's fingerprint or error, and CompareWithModel gives
// Compare's verdict, under both policies.
#include "policy/internal/host_model.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "policy/internal/field_rules.h"
#include "preload/fingerprint.h"
#include "preload/policy.h"
#include "sample_payload.h"

namespace preload::internal {
namespace {

using preload::testing::kSample;

Fingerprint Parsed(std::string_view payload) {
  absl::StatusOr<Fingerprint> fp = Fingerprint::Parse(payload);
  EXPECT_TRUE(fp.ok()) << fp.status();
  return fp.ok() ? *std::move(fp) : Fingerprint::FromFields({});
}

// The host: the sample as a host's note would have it.
Fingerprint Host() {
  std::string payload(kSample);
  const std::size_t at = payload.find("kind=plugin");
  payload.replace(at, 11, "kind=host");
  return Parsed(payload);
}

std::vector<std::string> Lines(std::string_view payload) {
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < payload.size();) {
    std::size_t end = payload.find('\n', at);
    if (end == std::string_view::npos) end = payload.size();
    lines.emplace_back(payload.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// Payloads a plugin could carry: the sample itself, and for each field
// line: its value changed, the line dropped, the line repeated at the end,
// a malformed line put before it.
std::vector<std::string> Variants() {
  const std::vector<std::string> lines = Lines(kSample);
  std::vector<std::string> out = {std::string(kSample)};
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> changed = lines;
    changed[i] += "x";
    out.push_back(Join(changed));
    std::vector<std::string> dropped = lines;
    dropped.erase(dropped.begin() + static_cast<std::ptrdiff_t>(i));
    out.push_back(Join(dropped));
    std::vector<std::string> repeated = lines;
    repeated.push_back(lines[i]);
    out.push_back(Join(repeated));
    std::vector<std::string> malformed = lines;
    malformed.insert(malformed.begin() + static_cast<std::ptrdiff_t>(i), "Bad Key=1");
    out.push_back(Join(malformed));
  }
  return out;
}

TEST(HostModel, TheRunSpansEveryBuildSettingOfTheHost) {
  const Fingerprint host = Host();
  const HostModel model(host);
  ASSERT_GT(model.count(), 0u);
  for (const FingerprintFieldView& field : host.field_views()) {
    if (!IsBuildSetting(field.key)) continue;
    EXPECT_NE(model.settings().find(std::string(field.key) + "=" +
                                    std::string(field.value) + "\n"),
              std::string_view::npos)
        << field.key;
  }
  // A plugin built like its host carries the run byte for byte.
  EXPECT_NE(kSample.find(model.settings()), std::string_view::npos);
}

TEST(HostModel, ParsesEveryVariantAsFingerprintParseDoes) {
  const HostModel model(Host());
  for (const std::string& payload : Variants()) {
    absl::StatusOr<Fingerprint> quick = model.Parse(payload);
    absl::StatusOr<Fingerprint> plain = Fingerprint::Parse(payload);
    ASSERT_EQ(quick.ok(), plain.ok()) << payload;
    if (!plain.ok()) {
      EXPECT_EQ(quick.status(), plain.status()) << payload;
      continue;
    }
    EXPECT_EQ(quick->payload(), plain->payload());
    ASSERT_EQ(quick->field_views().size(), plain->field_views().size()) << payload;
    for (std::size_t i = 0; i < plain->field_views().size(); ++i) {
      EXPECT_EQ(quick->field_views()[i].key, plain->field_views()[i].key);
      EXPECT_EQ(quick->field_views()[i].value, plain->field_views()[i].value);
    }
  }
}

TEST(HostModel, ComparesEveryVariantAsCompareDoes) {
  const Fingerprint host = Host();
  const HostModel model(host);
  for (const std::string& payload : Variants()) {
    absl::StatusOr<Fingerprint> plugin = model.Parse(payload);
    if (!plugin.ok()) continue;
    for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
      const Verdict quick = CompareWithModel(model, *plugin, policy);
      const Verdict plain = Compare(host, *plugin, policy);
      EXPECT_EQ(quick.accepted(), plain.accepted()) << payload;
      EXPECT_EQ(quick.ToStatus("p.so"), plain.ToStatus("p.so")) << payload;
      ASSERT_EQ(quick.comparisons().size(), plain.comparisons().size());
      for (std::size_t i = 0; i < plain.comparisons().size(); ++i) {
        EXPECT_EQ(quick.comparisons()[i].field, plain.comparisons()[i].field);
        EXPECT_EQ(quick.comparisons()[i].outcome, plain.comparisons()[i].outcome);
      }
    }
  }
}

// A host the plugin differs from in more ways than its kind: no
// descriptor (the plugin's own is then paired with nothing) and a host ABI
// the plugin does not require.
Fingerprint OtherHost() {
  std::vector<std::string> lines = Lines(Host().payload());
  lines.erase(std::remove_if(lines.begin(), lines.end(),
                             [](const std::string& line) {
                               return line.rfind("descriptor=", 0) == 0;
                             }),
              lines.end());
  lines.insert(lines.end() - 4, "abi.other=1.0");
  return Parsed(Join(lines));
}

// Besides Variants(): build settings the host does not have, before and
// after the run, which every policy refuses, and metadata no rule refuses.
std::vector<std::string> MoreVariants() {
  std::vector<std::string> out = Variants();
  const std::vector<std::string> lines = Lines(kSample);
  for (const char* extra :
       {"fp.long_double=64", "target.calling_abi=sysv", "license=MIT",
        "abi.third=1.0", "requires=other>=1.0", "newer.field=1"}) {
    for (std::size_t at : {std::size_t{2}, lines.size() - 1}) {
      std::vector<std::string> with = lines;
      with.insert(with.begin() + static_cast<std::ptrdiff_t>(at), extra);
      out.push_back(Join(with));
    }
  }
  return out;
}

// AcceptedWithModel, the loader's answer without a verdict, is Compare's,
// for plugins quick-parsed and plainly parsed, under both policies. The
// variants include refusals the quick path decides (a host ABI's version,
// a build setting the host lacks): a quick path that wrongly accepted
// would fail here.
TEST(HostModel, AcceptsEveryVariantAsCompareDoes) {
  for (const Fingerprint& host : {Host(), OtherHost()}) {
    const HostModel model(host);
    ASSERT_GT(model.count(), 0u);
    int quick_refusals = 0, quick_accepts = 0;
    for (const std::string& payload : MoreVariants()) {
      absl::StatusOr<Fingerprint> quick = model.Parse(payload);
      absl::StatusOr<Fingerprint> plain = Fingerprint::Parse(payload);
      ASSERT_EQ(quick.ok(), plain.ok()) << payload;
      if (!plain.ok()) continue;
      for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
        const bool expected = Compare(host, *plain, policy).accepted();
        EXPECT_EQ(AcceptedWithModel(model, *quick, policy), expected) << payload;
        EXPECT_EQ(AcceptedWithModel(model, *plain, policy), expected) << payload;
        EXPECT_EQ(CompareWithModel(model, *quick, policy).ToStatus("p.so"),
                  Compare(host, *plain, policy).ToStatus("p.so"))
            << payload;
        if (model.OwnLinesOf(*quick)) ++(expected ? quick_accepts : quick_refusals);
      }
    }
    // The quick path decided both ways, not only fell back.
    EXPECT_GT(quick_refusals, 10);
    EXPECT_GT(quick_accepts, 10);
  }
}

// A quick-parsed fingerprint answers Get from its own lines and its
// model's run without making its list of fields; the answers, then the
// list, the host ABIs and the owned fields, are a plain parse's.
TEST(HostModel, AQuickParseReadsAsAPlainParse) {
  const HostModel model(OtherHost());
  int quick = 0;
  for (const std::string& payload : MoreVariants()) {
    absl::StatusOr<Fingerprint> fast = model.Parse(payload);
    absl::StatusOr<Fingerprint> plain = Fingerprint::Parse(payload);
    if (!plain.ok()) continue;
    ASSERT_TRUE(fast.ok()) << payload;
    quick += model.OwnLinesOf(*fast).has_value();
    for (const FingerprintFieldView& field : plain->field_views()) {
      EXPECT_EQ(fast->Get(field.key), field.value) << field.key;
      // A view into the fingerprint's own text, not the model's.
      const std::string_view text = fast->payload();
      const std::optional<std::string_view> value = fast->Get(field.key);
      ASSERT_TRUE(value.has_value());
      EXPECT_GE(value->data(), text.data());
      EXPECT_LE(value->data() + value->size(), text.data() + text.size());
    }
    EXPECT_FALSE(fast->Get("no.such.key").has_value());
    const Fingerprint copy = *fast;  // shares what the first call makes
    ASSERT_EQ(copy.field_views().size(), plain->field_views().size());
    EXPECT_EQ(fast->HostAbis(), plain->HostAbis());
    ASSERT_EQ(fast->fields().size(), plain->fields().size());
    for (std::size_t i = 0; i < plain->fields().size(); ++i) {
      EXPECT_EQ(fast->fields()[i].key, plain->fields()[i].key);
      EXPECT_EQ(fast->fields()[i].value, plain->fields()[i].value);
    }
  }
  EXPECT_GT(quick, 20);
}

// Lines outside the run that repeat a key, of the run or of each other,
// however the quick path met them (in the model's order, or checked one by
// one), are refused with Parse's error.
TEST(HostModel, RepeatedKeysAroundTheRunAreRefusedAsParseDoes) {
  const HostModel model(OtherHost());
  const std::vector<std::string> lines = Lines(kSample);
  for (const char* key_line :
       {"kind=plugin", "name=x", "descriptor=preload_descriptor_x", "sdk.abi=1",
        "layout.enum=4/4", "build.config=Release", "flags.cxx=-O2", "extra=1"}) {
    for (std::size_t at = 1; at <= lines.size(); ++at) {
      std::vector<std::string> with = lines;
      with.insert(with.begin() + static_cast<std::ptrdiff_t>(at), key_line);
      with.insert(with.begin() + 1, key_line);
      const std::string payload = Join(with);
      absl::StatusOr<Fingerprint> quick = model.Parse(payload);
      absl::StatusOr<Fingerprint> plain = Fingerprint::Parse(payload);
      ASSERT_FALSE(plain.ok()) << payload;
      EXPECT_EQ(quick.status(), plain.status()) << payload;
    }
  }
}

TEST(HostModel, AHostNoPayloadCanHoldHasNoRun) {
  // A value with a newline: its payload parses into other fields.
  const Fingerprint host = Fingerprint::FromFields(
      {{"kind", "host"}, {"sdk.abi", "1\ntarget.arch=x86_64"}, {"cxx.rtti", "1"}});
  const HostModel model(host);
  EXPECT_EQ(model.count(), 0u);
  EXPECT_TRUE(model.settings().empty());
  const Fingerprint plugin = Parsed(
      "preload-fingerprint/1\nkind=plugin\nsdk.abi=1\ntarget.arch=x86_64\ncxx.rtti=1\n");
  EXPECT_EQ(CompareWithModel(model, plugin, Policy::kStrict).ToStatus("p.so"),
            Compare(host, plugin, Policy::kStrict).ToStatus("p.so"));
}

}  // namespace
}  // namespace preload::internal
