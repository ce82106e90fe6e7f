// Copyright the PreloadSDK authors.
//
// policy/internal/field_rules.h — the per-field rules behind preload::Compare.
//
// One table in field_rules.cc says, for every field (or field prefix) the SDK
// knows, which rule compares it and which function explains a refusal; what
// each rule decides is in field_outcomes.cc, the hints in field_hints.cc.
// The rules are documented field by field in docs/fingerprint.md.
#ifndef PRELOAD_POLICY_INTERNAL_FIELD_RULES_H_
#define PRELOAD_POLICY_INTERNAL_FIELD_RULES_H_

#include <optional>
#include <string_view>
#include <vector>

#include "preload/fingerprint.h"
#include "preload/policy.h"

namespace preload::internal {

// The values of one field on each side; nullopt where a side lacks it.
struct FieldValues {
  std::optional<std::string_view> plugin;
  std::optional<std::string_view> host;
};

// Compares the field `field`, whose values in `plugin` and `host` the caller
// has looked up, under `policy`. A refusal always carries a hint a user can
// act on.
FieldComparison CompareField(std::string_view field, FieldValues values,
                             const Fingerprint& host, const Fingerprint& plugin,
                             Policy policy);

// Whether the rule table names `field`, exactly or by its prefix ("layout.",
// "abi."). A field it does not name is one a newer SDK wrote: it is
// recorded and never compared, so every field this SDK's template writes
// must be named (tests/unit/field_coverage_test.cc).
bool HasRule(std::string_view field);

// Whether `field`'s rule is informational: recorded, never refused.
bool IsInformational(std::string_view field);

// The fields the rule table names exactly (not by a prefix) whose rule is
// informational, in the table's order.
std::vector<std::string_view> InformationalFields();

// Whether `field` is a build setting: a field every plugin built like its
// host carries with the host's value. Its rule compares it (it is not
// informational) and does not pair a plugin's requirement with what a host
// provides (abi.*, abi_hash.*). The host's run of these is what
// policy/internal/host_model.h compares as one block of bytes.
bool IsBuildSetting(std::string_view field);

// Refuses() for a field whose two values are not equal.
bool RefusesUnequal(std::string_view field, FieldValues values,
                    const Fingerprint& host, const Fingerprint& plugin,
                    Policy policy);

// Whether CompareField would refuse the field, without building the
// comparison: the accept path of every load needs only this. Two equal
// values are never refused, whatever the rule; most fields of a plugin built
// like its host are equal, and cost no call.
inline bool Refuses(std::string_view field, FieldValues values,
                    const Fingerprint& host, const Fingerprint& plugin,
                    Policy policy) {
  if (values.plugin && values.host && *values.plugin == *values.host) {
    return false;
  }
  return RefusesUnequal(field, values, host, plugin, policy);
}

}  // namespace preload::internal

#endif  // PRELOAD_POLICY_INTERNAL_FIELD_RULES_H_
