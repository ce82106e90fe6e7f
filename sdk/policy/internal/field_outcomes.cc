// Copyright the PreloadSDK authors.
//
// What each rule decides for a field whose two values are known, and the
// small parsers the rules and hints share.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy/internal/field_sides.h"

namespace preload::internal::rules {

std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

std::optional<std::uint64_t> ParseNumber(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

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

namespace {

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

// Clang records no GCC ABI version ("n/a"); the compiler fields judge that
// pairing. Two GCC versions must agree: a version changes layouts.
Outcome GxxAbiOutcome(const Sides& s) {
  if (s.plugin == "n/a" || s.host == "n/a") return Outcome::kAllowed;
  return Outcome::kRefused;
}

// An uninstrumented plugin works in an AddressSanitizer host: the runtime is
// already in the process, and the plugin's own accesses go unchecked (matrix
// row asan_host_only). Every other difference is refused: an instrumented
// plugin needs its runtime loaded first (asan_plugin_only), and the other
// sanitizers need every part of the program instrumented or are untested.
Outcome SanitizersOutcome(const Sides& s) {
  if (s.policy == Policy::kStrict) return Outcome::kRefused;
  return s.plugin == "none" && s.host == "address" ? Outcome::kAllowed
                                                   : Outcome::kRefused;
}

}  // namespace

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
    case Rule::kGxxAbi:
      return GxxAbiOutcome(s);
    case Rule::kSanitizers:
      return SanitizersOutcome(s);
    case Rule::kAbiHash:
    case Rule::kInformational:
      break;
  }
  return Outcome::kInformational;
}

std::string_view OrCompatible(const Sides& s) {
  if (s.policy != Policy::kStrict) return "";
  Sides compatible = s;
  compatible.policy = Policy::kCompatible;
  return Decide(compatible) == Outcome::kAllowed
             ? ", or use the compatible policy"
             : "";
}

}  // namespace preload::internal::rules
