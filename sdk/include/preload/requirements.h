// Copyright the PreloadSDK authors.
//
// preload/requirements.h — the plugins a plugin requires, as its fingerprint
// records them (add_preload_plugin(<p> ... REQUIRES a>=1.2 c)).
//
//   absl::StatusOr<std::vector<preload::Requirement>> needs =
//       preload::RequirementsOf(fingerprint);
//   if (!needs.ok()) return needs.status();     // a malformed `requires` field
//   for (const preload::Requirement& r : *needs) {
//     if (!r.SatisfiedBy(other.version())) std::cout << r.ToString() << "\n";
//   }
//
// A requirement is a plugin name with an optional version constraint:
//
//   requirement = name [ operator version ]
//   name        = letter *( letter / digit / "_" / "." / "-" )
//   operator    = ">=" / "==" / "^"
//   version     = number "." number [ "." number ]     (no leading zeros)
//
// `>=1.2` accepts 1.2.0 and anything later; `==1.2` accepts any 1.2.x and
// `==1.2.3` only 1.2.3; `^1.2.3` accepts what semantic versioning calls
// compatible: at least 1.2.3 and below 2.0.0 (for 0.y.z, below 0.(y+1).0;
// for 0.0.z, only 0.0.z). A missing patch counts as 0. A plugin with no
// version satisfies only a requirement without a constraint.
// docs/requirements.md and docs/cmake.md say the same for users.
//
// This header knows nothing of files or loading.
#ifndef PRELOAD_REQUIREMENTS_H_
#define PRELOAD_REQUIREMENTS_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "preload/fingerprint.h"

namespace preload {

// The fingerprint field that lists a plugin's requirements, separated by
// single spaces: `requires=codec_core>=1.2 metrics`.
inline constexpr std::string_view kRequiresField = "requires";

// major.minor.patch; a version written "1.2" is {1, 2, 0}.
using SemanticVersion = std::array<unsigned long, 3>;

// "1.2" or "1.2.3" as numbers; nullopt for anything else (a leading zero, a
// sign, a fourth part, more than 9 digits in a part).
std::optional<SemanticVersion> ParseVersion(std::string_view text);

struct Requirement {
  enum class Op { kAny, kAtLeast, kEqual, kCompatible };

  std::string name;
  Op op = Op::kAny;
  std::string version;  // as written: "1.2"; empty for kAny

  // True when a plugin of version `version` (its fingerprint's `version`
  // field) meets the constraint.
  bool SatisfiedBy(std::string_view version) const;
  // "a>=1.2", as written in the note and in CMake.
  std::string ToString() const;
  // The constraint alone: ">=1.2", or "" for kAny.
  std::string Constraint() const;
};

// One requirement: "a>=1.2". InvalidArgument says what is wrong and where.
[[nodiscard]] absl::StatusOr<Requirement> ParseRequirement(std::string_view text);

// A `requires` field's value: requirements separated by single spaces, each
// name at most once. "" gives none.
[[nodiscard]] absl::StatusOr<std::vector<Requirement>> ParseRequirements(
    std::string_view text);

// The requirements a fingerprint records (none without a `requires` field).
// A malformed field is InvalidArgument naming the plugin.
[[nodiscard]] absl::StatusOr<std::vector<Requirement>> RequirementsOf(
    const Fingerprint& fingerprint);

}  // namespace preload

#endif  // PRELOAD_REQUIREMENTS_H_
