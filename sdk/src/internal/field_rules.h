// Copyright the PreloadSDK authors.
//
// internal/field_rules.h — the per-field rules behind preload::Compare.
//
// One table in field_rules.cc says, for every field (or field prefix) the SDK
// knows, which rule compares it and which function explains a refusal. The
// rules are documented field by field in docs/fingerprint.md.
#ifndef PRELOAD_SRC_INTERNAL_FIELD_RULES_H_
#define PRELOAD_SRC_INTERNAL_FIELD_RULES_H_

#include <string_view>

#include "preload/fingerprint.h"
#include "preload/policy.h"

namespace preload::internal {

// Compares the field `field`, present in `host`, `plugin` or both, under
// `policy`. A refusal always carries a hint a user can act on.
FieldComparison CompareField(std::string_view field, const Fingerprint& host,
                             const Fingerprint& plugin, Policy policy);

}  // namespace preload::internal

#endif  // PRELOAD_SRC_INTERNAL_FIELD_RULES_H_
