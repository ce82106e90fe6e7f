// Copyright the PreloadSDK authors.
//
// policy/internal/field_sides.h — what deciding one field and explaining its
// refusal look at: the field's rule and both sides' values. Shared by the
// parts of the rule table: field_rules.cc (which rule each field has),
// field_outcomes.cc (what each rule decides) and field_hints.cc (what a user
// can do about a refusal).
#ifndef PRELOAD_POLICY_INTERNAL_FIELD_SIDES_H_
#define PRELOAD_POLICY_INTERNAL_FIELD_SIDES_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "preload/fingerprint.h"
#include "preload/policy.h"

namespace preload::internal::rules {

// How a field is compared once both sides have it and the values differ.
enum class Rule {
  kInformational,  // never compared: identity, raw flags, unknown keys
  kEqual,          // must be equal under every policy
  kToolchain,      // strict: equal; compatible: may differ
  kStdlibRelease,  // strict: equal; compatible: plugin's release <= host's
  kHostAbi,  // an ABI the plugin requires against the one the host provides
  kAbiHash,  // the content hash of that ABI's headers
  kGxxAbi,   // equal when both sides are GCC; "n/a" (Clang) is not compared
  kSanitizers,  // strict: equal; compatible: also a plain plugin in an ASan host
};

// Everything a rule or a hint may look at.
struct Sides {
  std::string_view field;
  std::string_view plugin;  // "" when absent
  std::string_view host;    // "" when absent
  bool plugin_present;
  bool host_present;
  const Fingerprint& host_fp;
  const Fingerprint& plugin_fp;
  Policy policy;
  Rule rule;
};

// ---------------------------------------------------------------- helpers

std::string Cat(std::initializer_list<std::string_view> parts);

inline bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// A decimal number and nothing else.
std::optional<std::uint64_t> ParseNumber(std::string_view text);

struct AbiVersion {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::uint64_t patch = 0;  // 0 when not written
};

// "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", decimal.
std::optional<AbiVersion> ParseAbiVersion(std::string_view text);

// Another field of either fingerprint, "?" when absent.
std::string_view HostValue(const Sides& s, std::string_view key);
std::string_view PluginValue(const Sides& s, std::string_view key);

// <name> of an abi.<name> or abi_hash.<name> field.
std::string_view AbiName(const Sides& s);
std::string_view AbiHashName(const Sides& s);

// ---------------------------------------------------------------- outcomes

// What the field's rule decides under the policy (field_outcomes.cc).
Outcome Decide(const Sides& s);

// ", or use the compatible policy" when that policy would accept the field.
std::string_view OrCompatible(const Sides& s);

// ------------------------------------------------------------------ hints

// What to do about a refused field (field_hints.cc). MissingHint: one side
// lacks a field the other has; the others: both sides have it.
std::string MissingHint(const Sides& s);
std::string SdkAbiHint(const Sides& s);
std::string TargetHint(const Sides& s);
std::string CallingConventionHint(const Sides& s);
std::string CompilerHint(const Sides& s);
std::string StandardHint(const Sides& s);
std::string ExceptionsHint(const Sides& s);
std::string RttiHint(const Sides& s);
std::string CharSignednessHint(const Sides& s);
std::string GxxAbiHint(const Sides& s);
std::string AlignedNewHint(const Sides& s);
std::string WeakHint(const Sides& s);
std::string Cxx11AbiHint(const Sides& s);
std::string GlibcxxDebugHint(const Sides& s);
std::string StdlibNameHint(const Sides& s);
std::string StdlibReleaseHint(const Sides& s);
std::string SanitizerHint(const Sides& s);
std::string AbseilHint(const Sides& s);
std::string LayoutHint(const Sides& s);
std::string LongDoubleHint(const Sides& s);
std::string HostAbiHint(const Sides& s);
std::string AbiHashHint(const Sides& s);

}  // namespace preload::internal::rules

#endif  // PRELOAD_POLICY_INTERNAL_FIELD_SIDES_H_
