// Copyright the PreloadSDK authors.
//
// The rule table: how each fingerprint field is compared, and what a user can
// do when it is refused. docs/fingerprint.md explains why each rule is what
// it is; keep the two in step.
#include "policy/internal/field_rules.h"

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "base/internal/string_view.h"

namespace preload::internal {
namespace {

// How a field is compared once both sides have it and the values differ.
enum class Rule {
  kInformational,  // never compared: identity, raw flags, unknown keys
  kEqual,          // must be equal under every policy
  kToolchain,      // strict: equal; compatible: may differ
  kStdlibRelease,  // strict: equal; compatible: plugin's release <= host's
  kHostAbi,  // an ABI the plugin requires against the one the host provides
  kAbiHash,  // the content hash of that ABI's headers
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

using HintFn = std::string (*)(const Sides&);

struct FieldRule {
  std::string_view key;  // a field name, or a prefix when it ends with '.'
  Rule rule;
  HintFn hint;  // explains a refusal of both present values
};

// ---------------------------------------------------------------- helpers

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::optional<std::uint64_t> ParseNumber(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

struct AbiVersion {
  std::uint64_t major = 0;
  std::uint64_t minor = 0;
  std::uint64_t patch = 0;  // 0 when not written
};

// "MAJOR.MINOR" or "MAJOR.MINOR.PATCH", decimal.
std::optional<AbiVersion> ParseAbiVersion(std::string_view text) {
  std::optional<std::uint64_t> parts[3];
  std::size_t count = 0;
  while (count < 3) {
    const std::size_t dot = text.find('.');
    parts[count++] = ParseNumber(text.substr(0, dot));
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
    if (count == 3) return std::nullopt;  // a fourth part
  }
  if (count < 2 || !parts[0] || !parts[1] || (count == 3 && !parts[2])) {
    return std::nullopt;
  }
  return AbiVersion{*parts[0], *parts[1], count == 3 ? *parts[2] : 0};
}

std::string_view HostValue(const Sides& s, std::string_view key) {
  return s.host_fp.Get(key).value_or("?");
}

std::string_view PluginValue(const Sides& s, std::string_view key) {
  return s.plugin_fp.Get(key).value_or("?");
}

std::string_view AbiName(const Sides& s) {
  return s.field.substr(std::string_view("abi.").size());
}

std::string_view AbiHashName(const Sides& s) {
  return s.field.substr(std::string_view("abi_hash.").size());
}

// ---------------------------------------------------------------- outcomes

Outcome HostAbiOutcome(const Sides& s) {
  const std::optional<AbiVersion> plugin = ParseAbiVersion(s.plugin);
  const std::optional<AbiVersion> host = ParseAbiVersion(s.host);
  if (!plugin || !host) return Outcome::kRefused;
  if (plugin->major == host->major && plugin->minor == host->minor &&
      plugin->patch == host->patch) {
    return Outcome::kEqual;  // "2.1" and "2.1.0"
  }
  if (s.policy == Policy::kStrict) return Outcome::kRefused;
  // A host ABI's minor versions only add; a plugin built against an older
  // minor finds everything it uses.
  return plugin->major == host->major && plugin->minor <= host->minor
             ? Outcome::kAllowed
             : Outcome::kRefused;
}

Outcome StdlibReleaseOutcome(const Sides& s) {
  if (s.policy == Policy::kStrict) return Outcome::kRefused;
  const std::optional<std::uint64_t> plugin = ParseNumber(s.plugin);
  const std::optional<std::uint64_t> host = ParseNumber(s.host);
  // An older library cannot provide the symbols a newer one's headers use.
  return plugin && host && *plugin <= *host ? Outcome::kAllowed
                                            : Outcome::kRefused;
}

// The hash of an ABI's headers. Only compared when the plugin requires the
// ABI and the host provides it (the abi.<name> field refuses otherwise), and
// only when both versions are the same: a version difference is the
// abi.<name> field's to judge.
Outcome AbiHashOutcome(const Sides& s) {
  const std::string version_key = Cat({"abi.", AbiHashName(s)});
  const std::optional<std::string_view> plugin_version =
      s.plugin_fp.Get(version_key);
  const std::optional<std::string_view> host_version =
      s.host_fp.Get(version_key);
  if (!s.plugin_present || !plugin_version || !host_version) {
    return Outcome::kInformational;
  }
  const std::optional<AbiVersion> plugin = ParseAbiVersion(*plugin_version);
  const std::optional<AbiVersion> host = ParseAbiVersion(*host_version);
  const bool same_version = plugin && host && plugin->major == host->major &&
                            plugin->minor == host->minor &&
                            plugin->patch == host->patch;
  if (!same_version) return Outcome::kInformational;
  if (!s.host_present) {
    // The host declared the ABI without headers: nothing to compare with.
    return s.policy == Policy::kStrict ? Outcome::kRefused : Outcome::kAllowed;
  }
  return s.plugin == s.host ? Outcome::kEqual : Outcome::kRefused;
}

Outcome Decide(const Sides& s) {
  if (s.rule == Rule::kInformational) return Outcome::kInformational;
  if (s.rule == Rule::kAbiHash) return AbiHashOutcome(s);
  if (!s.plugin_present || !s.host_present) {
    // A host may provide ABIs a plugin does not use.
    if (s.rule == Rule::kHostAbi && !s.plugin_present) {
      return Outcome::kInformational;
    }
    return Outcome::kRefused;
  }
  if (s.plugin == s.host) return Outcome::kEqual;
  switch (s.rule) {
    case Rule::kEqual:
      return Outcome::kRefused;
    case Rule::kToolchain:
      return s.policy == Policy::kStrict ? Outcome::kRefused
                                         : Outcome::kAllowed;
    case Rule::kStdlibRelease:
      return StdlibReleaseOutcome(s);
    case Rule::kHostAbi:
      return HostAbiOutcome(s);
    case Rule::kAbiHash:
    case Rule::kInformational:
      break;
  }
  return Outcome::kInformational;
}

// ", or use the compatible policy" when that policy would accept the field.
std::string_view OrCompatible(const Sides& s) {
  if (s.policy != Policy::kStrict) return "";
  Sides compatible = s;
  compatible.policy = Policy::kCompatible;
  return Decide(compatible) == Outcome::kAllowed
             ? ", or use the compatible policy"
             : "";
}

// ---------------------------------------------------------------- hints

std::string MissingHint(const Sides& s) {
  return Cat({"only the ", s.plugin_present ? "plugin" : "host",
              "'s fingerprint has this field: build both with the same "
              "PreloadSDK version (plugin: ",
              PluginValue(s, "sdk.version"),
              ", host: ", HostValue(s, "sdk.version"), ")"});
}

std::string SdkAbiHint(const Sides& s) {
  return Cat({"rebuild the plugin with PreloadSDK ",
              HostValue(s, "sdk.version"),
              ", the host's version (the SDK's binary contract changed)"});
}

std::string TargetHint(const Sides& s) {
  std::string hint =
      Cat({"build the plugin for the host's target (",
           HostValue(s, "target.arch"), " ", HostValue(s, "target.os"), ", ",
           HostValue(s, "target.pointer_bits"), "-bit pointers, ",
           HostValue(s, "target.byte_order"),
           "-endian) with the host's toolchain"});
  if (s.field == "target.pointer_bits" && s.host == "32") {
    hint += " (on x86: add -m32)";
  } else if (s.field == "target.pointer_bits" && s.plugin == "32") {
    hint += " (on x86: drop -m32)";
  }
  return hint;
}

std::string CompilerHint(const Sides& s) {
  return Cat({"rebuild the plugin with the host's compiler (",
              HostValue(s, "compiler.id"), " ",
              HostValue(s, "compiler.version"), ")", OrCompatible(s)});
}

// "17" for 201703: the first level whose __cplusplus is >= the value, so
// that pre-standard values (201500 for -std=c++1z, 202100 for -std=c++2b)
// name the standard they lead to.
std::optional<std::string_view> StandardLevel(std::string_view cplusplus) {
  struct Level {
    std::uint64_t cplusplus;
    std::string_view name;
  };
  static constexpr Level kLevels[] = {
      {199711, "98"}, {201103, "11"}, {201402, "14"},    {201703, "17"},
      {202002, "20"}, {202302, "23"}, {UINT64_MAX, "26"}};
  const std::optional<std::uint64_t> value = ParseNumber(cplusplus);
  if (!value) return std::nullopt;
  for (const Level& level : kLevels) {
    if (*value <= level.cplusplus) return level.name;
  }
  return std::nullopt;
}

std::string StandardHint(const Sides& s) {
  const std::optional<std::string_view> host = StandardLevel(s.host);
  const std::optional<std::string_view> plugin = StandardLevel(s.plugin);
  if (!host) {
    return Cat(
        {"rebuild the plugin with the host's C++ standard level "
         "(__cplusplus ",
         s.host, ")", OrCompatible(s)});
  }
  return Cat({"rebuild the plugin with -std=c++", *host,
              " like the host (the plugin uses ",
              plugin ? Cat({"C++", *plugin}) : Cat({"__cplusplus ", s.plugin}),
              ")", OrCompatible(s)});
}

// A field one compiler flag switches: `flag` is in effect when the value is
// `value_with_flag`. The other texts say what the host does.
std::string FlagHint(const Sides& s, std::string_view flag,
                     std::string_view value_with_flag,
                     std::string_view host_with,
                     std::string_view host_without) {
  const bool known =
      (s.plugin == "0" || s.plugin == "1") && (s.host == "0" || s.host == "1");
  if (!known) {
    return Cat(
        {"build the plugin against the host's standard library, with "
         "the host's setting of ",
         flag, " (host: ", s.host, ", plugin: ", s.plugin, ")"});
  }
  if (s.plugin == value_with_flag) {
    return Cat({"rebuild the plugin without ", flag, " (", host_without, ")"});
  }
  return Cat(
      {"rebuild the plugin with ", flag, " like the host (", host_with, ")"});
}

std::string ExceptionsHint(const Sides& s) {
  return FlagHint(s, "-fno-exceptions", "0",
                  "the host is built without exceptions",
                  "the host uses exceptions");
}

std::string RttiHint(const Sides& s) {
  return FlagHint(s, "-fno-rtti", "0", "the host is built without RTTI",
                  "the host uses RTTI");
}

std::string Cxx11AbiHint(const Sides& s) {
  return FlagHint(s, "-D_GLIBCXX_USE_CXX11_ABI=0", "0",
                  "the host uses the old, pre-C++11 std::string ABI",
                  "the host uses the new std::string ABI");
}

std::string GlibcxxDebugHint(const Sides& s) {
  return FlagHint(s, "-D_GLIBCXX_DEBUG", "1",
                  "the host uses the debug-mode containers, whose layout "
                  "differs",
                  "the host uses the normal containers");
}

std::string StdlibNameHint(const Sides& s) {
  std::string hint =
      Cat({"rebuild the plugin against the host's standard "
           "library (",
           s.host, ")"});
  if (s.host == "libc++" || s.host == "libstdc++") {
    hint += Cat({"; with clang: -stdlib=", s.host});
  }
  return hint;
}

std::string StdlibReleaseHint(const Sides& s) {
  const std::string_view library = HostValue(s, "stdlib.name");
  const std::optional<std::uint64_t> plugin = ParseNumber(s.plugin);
  const std::optional<std::uint64_t> host = ParseNumber(s.host);
  if (plugin && host && *plugin > *host) {
    return Cat({"the plugin was built against ", library, " ", s.plugin,
                ", newer than the host's ", s.host,
                ": rebuild the plugin with the host's toolchain (", library,
                " ", s.host, " or older)"});
  }
  return Cat({"rebuild the plugin against the host's ", library, " ", s.host,
              OrCompatible(s)});
}

std::string SanitizerHint(const Sides& s) {
  std::string hint =
      Cat({"build the plugin with the host's sanitizers (host: ", s.host,
           ", plugin: ", s.plugin, ")"});
  if (s.host != "none") {
    hint += Cat({": -fsanitize=", s.host});
  } else {
    hint += Cat({": drop -fsanitize=", s.plugin});
  }
  return hint;
}

std::string AbseilHint(const Sides& s) {
  std::string hint = Cat({"rebuild the plugin against the host's Abseil (LTS ",
                          HostValue(s, "absl.lts"), ", inline namespace ",
                          HostValue(s, "absl.namespace"), ")"});
  constexpr std::string_view kStdPrefix = "absl.std_";
  if (StartsWith(s.field, kStdPrefix)) {
    const std::string_view type = s.field.substr(kStdPrefix.size());
    hint += Cat({"; absl::", type, " is std::", type, " in the ",
                 s.host == "1" ? "host's" : "plugin's",
                 " build but its own "
                 "type in the ",
                 s.host == "1" ? "plugin's" : "host's"});
  }
  return hint;
}

std::string LayoutHint(const Sides& s) {
  struct Probe {
    std::string_view field;
    std::string_view type;
    std::string_view flags;  // what typically changes it
  };
  static constexpr Probe kProbes[] = {
      {"layout.std_string", "std::string",
       "-D_GLIBCXX_USE_CXX11_ABI=0, -D_GLIBCXX_DEBUG or -m32"},
      {"layout.std_vector", "std::vector<int>", "-D_GLIBCXX_DEBUG or -m32"},
      {"layout.std_function", "std::function<void()>",
       "another standard library or -m32"},
      {"layout.long_double", "long double",
       "-mlong-double-64, -mlong-double-128 or -m96bit-long-double"},
      {"layout.max_align_t", "std::max_align_t",
       "-mlong-double-64, -mlong-double-128 or -m32"},
      {"layout.wchar_t", "wchar_t", "-fshort-wchar"},
      {"layout.long", "long", "-m32 or -mx32"},
      {"layout.enum", "an unscoped enum", "-fshort-enums"},
  };
  std::string_view type = s.field.substr(std::string_view("layout.").size());
  std::string_view flags = "-m32 or other target options";
  for (const Probe& probe : kProbes) {
    if (probe.field == s.field) {
      type = probe.type;
      flags = probe.flags;
    }
  }
  // Values are "size/alignment".
  const std::size_t plugin_slash = s.plugin.find('/');
  const std::size_t host_slash = s.host.find('/');
  const bool size_differs =
      s.plugin.substr(0, plugin_slash) != s.host.substr(0, host_slash);
  const bool alignment_differs =
      plugin_slash == std::string_view::npos ||
      host_slash == std::string_view::npos ||
      s.plugin.substr(plugin_slash) != s.host.substr(host_slash);
  const std::string_view what = !alignment_differs ? "size"
                                : !size_differs    ? "alignment"
                                                   : "size and alignment";
  return Cat({"the ", what, " of ", type,
              size_differs && alignment_differs ? " differ" : " differs",
              ": rebuild the plugin without the flag that changes it, "
              "typically ",
              flags, "; compare the flags.* fields of both fingerprints"});
}

std::string HostAbiHint(const Sides& s) {
  const std::string_view name = AbiName(s);
  if (!s.host_present) {
    return Cat({"the host provides no \"", name,
                "\" ABI: load the plugin "
                "into a host that provides ",
                name, " ", s.plugin, ", or rebuild the plugin without it"});
  }
  const std::optional<AbiVersion> plugin = ParseAbiVersion(s.plugin);
  const std::optional<AbiVersion> host = ParseAbiVersion(s.host);
  if (!plugin || !host) {
    return Cat({"cannot compare ", name,
                " ABI versions (expected "
                "MAJOR.MINOR[.PATCH]): rebuild the plugin against the host's ",
                name, " ", s.host});
  }
  const bool plugin_newer =
      plugin->major > host->major ||
      (plugin->major == host->major && plugin->minor > host->minor);
  if (plugin_newer) {
    return Cat({"the plugin requires ", name, " ABI ", s.plugin,
                ", newer than the host's ", s.host, ": rebuild the host with ",
                name, " ", s.plugin, ", or rebuild the plugin against ", name,
                " ", s.host});
  }
  return Cat({"the plugin was built against ", name, " ABI ", s.plugin,
              ", the host provides ", s.host, ": rebuild the plugin against ",
              name, " ", s.host, OrCompatible(s)});
}

std::string AbiHashHint(const Sides& s) {
  const std::string_view name = AbiHashName(s);
  const std::string_view version = HostValue(s, Cat({"abi.", name}));
  if (!s.host_present) {
    return Cat({"the host declares ", name, " ", version,
                " without headers, so their hash cannot be checked: declare "
                "it with add_preload_abi in the host too",
                OrCompatible(s)});
  }
  return Cat({name, " ", version,
              " changed without a version bump: the host's headers hash to ",
              s.host, ", the plugin's to ", s.plugin,
              ". The ABI's author must bump its version when its headers "
              "change; until then, rebuild the plugin against the host's "
              "headers"});
}

// ---------------------------------------------------------------- the table

constexpr FieldRule kRules[] = {
    // Identity and diagnosis: recorded, never a reason to refuse.
    {"kind", Rule::kInformational, nullptr},
    {"name", Rule::kInformational, nullptr},
    {"version", Rule::kInformational, nullptr},
    {"descriptor", Rule::kInformational, nullptr},
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
    // The toolchain: the compatible policy trusts the ABI fields below.
    {"compiler.id", Rule::kToolchain, CompilerHint},
    {"compiler.version", Rule::kToolchain, CompilerHint},
    {"cxx.standard", Rule::kToolchain, StandardHint},
    // Language and library settings that change the ABI.
    {"cxx.exceptions", Rule::kEqual, ExceptionsHint},
    {"cxx.rtti", Rule::kEqual, RttiHint},
    {"stdlib.name", Rule::kEqual, StdlibNameHint},
    {"stdlib.release", Rule::kStdlibRelease, StdlibReleaseHint},
    {"glibcxx.cxx11_abi", Rule::kEqual, Cxx11AbiHint},
    {"glibcxx.debug", Rule::kEqual, GlibcxxDebugHint},
    {"sanitizers", Rule::kEqual, SanitizerHint},
    {"absl.lts", Rule::kEqual, AbseilHint},
    {"absl.namespace", Rule::kEqual, AbseilHint},
    {"absl.std_any", Rule::kEqual, AbseilHint},
    {"absl.std_optional", Rule::kEqual, AbseilHint},
    {"absl.std_string_view", Rule::kEqual, AbseilHint},
    {"absl.std_variant", Rule::kEqual, AbseilHint},
    {"layout.", Rule::kEqual, LayoutHint},
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

bool RefusesUnequal(std::string_view field, FieldValues values,
                    const Fingerprint& host, const Fingerprint& plugin,
                    Policy policy) {
  const Sides sides =
      MakeSides(field, values, host, plugin, policy, RuleFor(field));
  return Decide(sides) == Outcome::kRefused;
}

FieldComparison CompareField(std::string_view field, FieldValues values,
                             const Fingerprint& host, const Fingerprint& plugin,
                             Policy policy) {
  const FieldRule& rule = RuleFor(field);
  const Sides sides = MakeSides(field, values, host, plugin, policy, rule);

  FieldComparison comparison;
  comparison.field = std::string(field);
  comparison.plugin_value = std::string(sides.plugin);
  comparison.host_value = std::string(sides.host);
  comparison.plugin_present = sides.plugin_present;
  comparison.host_present = sides.host_present;
  comparison.outcome = Decide(sides);
  if (comparison.outcome == Outcome::kRefused &&
      FollowsFromOtherStandardLibrary(sides)) {
    comparison.hint =
        "follows from the different standard library (see stdlib.name)";
    return comparison;
  }
  if (comparison.outcome == Outcome::kRefused) {
    const bool both = sides.plugin_present && sides.host_present;
    const bool own_hint =
        both || rule.rule == Rule::kHostAbi || rule.rule == Rule::kAbiHash;
    comparison.hint = own_hint ? rule.hint(sides) : MissingHint(sides);
  }
  return comparison;
}

}  // namespace preload::internal
