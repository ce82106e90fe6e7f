// Copyright the PreloadSDK authors.
//
// The rule table: how each fingerprint field is compared, and what a user can
// do when it is refused. docs/fingerprint.md explains why each rule is what
// it is; keep the two in step.
#include "policy/internal/field_rules.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/internal/string_view.h"
#include "policy/internal/field_sides.h"

namespace preload::internal {
namespace rules {
namespace {

using HintFn = std::string (*)(const Sides&);

struct FieldRule {
  std::string_view key;  // a field name, or a prefix when it ends with '.'
  Rule rule;
  HintFn hint;  // explains a refusal of both present values
};

// ---------------------------------------------------------------- the table

constexpr FieldRule kRules[] = {
    // Identity and diagnosis: recorded, never a reason to refuse.
    {"kind", Rule::kInformational, nullptr},
    {"name", Rule::kInformational, nullptr},
    {"version", Rule::kInformational, nullptr},
    {"descriptor", Rule::kInformational, nullptr},
    // The plugins a plugin requires: the loader resolves them, each verified
    // against the host on its own (docs/requirements.md); nothing to compare.
    {"requires", Rule::kInformational, nullptr},
    // A plugin's metadata (add_preload_plugin DESCRIPTION, ...): for people.
    {"description", Rule::kInformational, nullptr},
    {"license", Rule::kInformational, nullptr},
    {"author", Rule::kInformational, nullptr},
    {"url", Rule::kInformational, nullptr},
    // A host's TRUSTED_KEYS: the loader enforces them (signatures), the
    // policy never compares them.
    {"trusted_keys", Rule::kInformational, nullptr},
    {"sdk.version", Rule::kInformational, nullptr},
    {"build.config", Rule::kInformational, nullptr},
    {"glibcxx.assertions", Rule::kInformational, nullptr},
    {"flags.", Rule::kInformational, nullptr},
    // The SDK's own binary contract.
    {"sdk.abi", Rule::kEqual, SdkAbiHint},
    // The machine.
    {"target.arch", Rule::kEqual, TargetHint},
    {"target.os", Rule::kEqual, TargetHint},
    {"target.pointer_bits", Rule::kEqual, TargetHint},
    {"target.byte_order", Rule::kEqual, TargetHint},
    {"target.calling_abi", Rule::kEqual, CallingConventionHint},
    // The toolchain: the compatible policy trusts the ABI fields below.
    {"compiler.id", Rule::kToolchain, CompilerHint},
    {"compiler.version", Rule::kToolchain, CompilerHint},
    {"cxx.standard", Rule::kToolchain, StandardHint},
    // Language and library settings that change the ABI.
    {"cxx.exceptions", Rule::kEqual, ExceptionsHint},
    {"cxx.rtti", Rule::kEqual, RttiHint},
    {"cxx.char_unsigned", Rule::kEqual, CharSignednessHint},
    {"cxx.gxx_abi", Rule::kGxxAbi, GxxAbiHint},
    {"cxx.aligned_new", Rule::kEqual, AlignedNewHint},
    {"cxx.weak", Rule::kEqual, WeakHint},
    {"stdlib.name", Rule::kEqual, StdlibNameHint},
    {"stdlib.release", Rule::kStdlibRelease, StdlibReleaseHint},
    {"glibcxx.cxx11_abi", Rule::kEqual, Cxx11AbiHint},
    {"glibcxx.debug", Rule::kEqual, GlibcxxDebugHint},
    {"sanitizers", Rule::kSanitizers, SanitizerHint},
    {"absl.lts", Rule::kEqual, AbseilHint},
    {"absl.namespace", Rule::kEqual, AbseilHint},
    {"absl.std_any", Rule::kEqual, AbseilHint},
    {"absl.std_optional", Rule::kEqual, AbseilHint},
    {"absl.std_string_view", Rule::kEqual, AbseilHint},
    {"absl.std_variant", Rule::kEqual, AbseilHint},
    {"layout.", Rule::kEqual, LayoutHint},
    {"fp.long_double", Rule::kEqual, LongDoubleHint},
    // Host ABIs: required by a plugin, provided by a host.
    {"abi.", Rule::kHostAbi, HostAbiHint},
    {"abi_hash.", Rule::kAbiHash, AbiHashHint},
    // Compared with the running CPU by the loader, not with the host's build.
    {"cpu.features", Rule::kInformational, nullptr},
};

// Keys this SDK does not know come from a newer SDK: recorded only.
constexpr FieldRule kUnknownField = {"", Rule::kInformational, nullptr};

bool IsPrefix(const FieldRule& rule) {
  return !rule.key.empty() && rule.key.back() == '.';
}

// Every field of every plugin load comes through here: exact keys are found
// by hash, and only the few prefixes are tried one by one.
const FieldRule& RuleFor(std::string_view field) {
  static const auto* const exact = [] {
    auto* map = new absl::flat_hash_map<absl::string_view, const FieldRule*>;
    for (const FieldRule& rule : kRules) {
      if (!IsPrefix(rule)) map->emplace(ToAbsl(rule.key), &rule);
    }
    return map;
  }();
  if (auto it = exact->find(ToAbsl(field)); it != exact->end()) {
    return *it->second;
  }
  for (const FieldRule& rule : kRules) {
    if (IsPrefix(rule) && StartsWith(field, rule.key)) return rule;
  }
  return kUnknownField;
}

// With libc++ on one side and libstdc++ on the other, the release numbers
// and libstdc++'s own settings are not comparable: the one real reason is
// stdlib.name, and the hints of these fields would only mislead.
bool FollowsFromOtherStandardLibrary(const Sides& s) {
  const std::optional<std::string_view> plugin = s.plugin_fp.Get("stdlib.name");
  const std::optional<std::string_view> host = s.host_fp.Get("stdlib.name");
  if (!plugin || !host || *plugin == *host) return false;
  return s.field == "stdlib.release" || StartsWith(s.field, "glibcxx.");
}

Sides MakeSides(std::string_view field, FieldValues values,
                const Fingerprint& host, const Fingerprint& plugin,
                Policy policy, const FieldRule& rule) {
  return Sides{field,
               values.plugin.value_or(""),
               values.host.value_or(""),
               values.plugin.has_value(),
               values.host.has_value(),
               host,
               plugin,
               policy,
               rule.rule};
}

}  // namespace
}  // namespace rules

bool HasRule(std::string_view field) {
  return &rules::RuleFor(field) != &rules::kUnknownField;
}

bool IsInformational(std::string_view field) {
  return rules::RuleFor(field).rule == rules::Rule::kInformational;
}

std::vector<std::string_view> InformationalFields() {
  std::vector<std::string_view> fields;
  for (const rules::FieldRule& rule : rules::kRules) {
    if (!rules::IsPrefix(rule) && rule.rule == rules::Rule::kInformational) {
      fields.push_back(rule.key);
    }
  }
  return fields;
}

bool IsBuildSetting(std::string_view field) {
  const rules::Rule rule = rules::RuleFor(field).rule;
  return rule != rules::Rule::kInformational && rule != rules::Rule::kHostAbi &&
         rule != rules::Rule::kAbiHash;
}

using rules::Decide;
using rules::MakeSides;
using rules::Sides;

bool RefusesUnequal(std::string_view field, FieldValues values,
                    const Fingerprint& host, const Fingerprint& plugin,
                    Policy policy) {
  const Sides sides =
      MakeSides(field, values, host, plugin, policy, rules::RuleFor(field));
  return Decide(sides) == Outcome::kRefused;
}

FieldComparison CompareField(std::string_view field, FieldValues values,
                             const Fingerprint& host, const Fingerprint& plugin,
                             Policy policy) {
  const rules::FieldRule& rule = rules::RuleFor(field);
  const Sides sides = MakeSides(field, values, host, plugin, policy, rule);

  FieldComparison comparison;
  comparison.field = std::string(field);
  comparison.plugin_value = std::string(sides.plugin);
  comparison.host_value = std::string(sides.host);
  comparison.plugin_present = sides.plugin_present;
  comparison.host_present = sides.host_present;
  comparison.outcome = Decide(sides);
  if (comparison.outcome == Outcome::kRefused &&
      rules::FollowsFromOtherStandardLibrary(sides)) {
    comparison.hint =
        "follows from the different standard library (see stdlib.name)";
    return comparison;
  }
  if (comparison.outcome == Outcome::kRefused) {
    const bool both = sides.plugin_present && sides.host_present;
    const bool own_hint =
        both || rule.rule == rules::Rule::kHostAbi || rule.rule == rules::Rule::kAbiHash;
    comparison.hint = own_hint ? rule.hint(sides) : rules::MissingHint(sides);
  }
  return comparison;
}

}  // namespace preload::internal
