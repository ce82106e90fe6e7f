// Copyright the PreloadSDK authors.
//
// The requirement grammar of <preload/requirements.h>: parsed strictly, since
// the same text is checked by CMake at configure time and read back by the
// loader from a note nobody has vetted since.
#include "preload/requirements.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"

namespace preload {
namespace {

using internal::ToAbsl;

constexpr std::size_t kMaxNumberDigits = 9;

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) {
  return IsLetter(c) || IsDigit(c) || c == '_' || c == '.' || c == '-';
}

std::optional<unsigned long> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > kMaxNumberDigits) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  unsigned long value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  return value;
}

absl::Status Invalid(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("requirement \"", ToAbsl(internal::EscapeText(text)), "\": ",
                   ToAbsl(why),
                   " (expected NAME, NAME>=VERSION, NAME==VERSION or "
                   "NAME^VERSION, VERSION as MAJOR.MINOR[.PATCH])"));
}

// The upper bound (exclusive) of ^v: the first version that changes v's
// leftmost non-zero part.
SemanticVersion CompatibleLimit(const SemanticVersion& v) {
  if (v[0] > 0) return {v[0] + 1, 0, 0};
  if (v[1] > 0) return {0, v[1] + 1, 0};
  return {0, 0, v[2] + 1};
}

}  // namespace

std::optional<SemanticVersion> ParseVersion(std::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(ToAbsl(text), '.');
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  SemanticVersion version{0, 0, 0};
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::optional<unsigned long> number = ParseNumber(internal::FromAbsl(parts[i]));
    if (!number) return std::nullopt;
    version[i] = *number;
  }
  return version;
}

bool Requirement::SatisfiedBy(std::string_view found) const {
  if (op == Op::kAny) return true;
  const std::optional<SemanticVersion> have = ParseVersion(found);
  const std::optional<SemanticVersion> want = ParseVersion(version);
  if (!have || !want) return false;
  switch (op) {
    case Op::kAtLeast:
      return *have >= *want;
    case Op::kEqual:
      // "==1.2" leaves the patch open; "==1.2.3" does not.
      if (std::count(version.begin(), version.end(), '.') == 1) {
        return (*have)[0] == (*want)[0] && (*have)[1] == (*want)[1];
      }
      return *have == *want;
    case Op::kCompatible:
      return *have >= *want && *have < CompatibleLimit(*want);
    case Op::kAny:
      break;
  }
  return true;
}

std::string Requirement::Constraint() const {
  switch (op) {
    case Op::kAtLeast:
      return absl::StrCat(">=", version);
    case Op::kEqual:
      return absl::StrCat("==", version);
    case Op::kCompatible:
      return absl::StrCat("^", version);
    case Op::kAny:
      break;
  }
  return "";
}

std::string Requirement::ToString() const { return name + Constraint(); }

absl::StatusOr<Requirement> ParseRequirement(std::string_view text) {
  if (text.empty()) return Invalid(text, "empty");
  std::size_t end = 0;
  while (end < text.size() && IsNameChar(text[end])) ++end;
  Requirement requirement;
  requirement.name = std::string(text.substr(0, end));
  if (requirement.name.empty()) {
    return Invalid(text, "a requirement starts with the plugin's name");
  }
  if (!IsLetter(requirement.name[0])) {
    return Invalid(text, "a plugin's name starts with a letter");
  }
  std::string_view rest = text.substr(end);
  if (rest.empty()) return requirement;
  if (rest.substr(0, 2) == ">=") {
    requirement.op = Requirement::Op::kAtLeast;
    rest.remove_prefix(2);
  } else if (rest.substr(0, 2) == "==") {
    requirement.op = Requirement::Op::kEqual;
    rest.remove_prefix(2);
  } else if (rest[0] == '^') {
    requirement.op = Requirement::Op::kCompatible;
    rest.remove_prefix(1);
  } else {
    return Invalid(text, absl::StrCat("\"", ToAbsl(internal::EscapeText(rest.substr(0, 1))),
                                      "\" after the name is neither a name "
                                      "character nor one of >=, ==, ^"));
  }
  if (!ParseVersion(rest)) {
    return Invalid(text, rest.empty() ? "the version after the operator is missing"
                                      : absl::StrCat("\"",
                                                     ToAbsl(internal::EscapeText(rest)),
                                                     "\" is not a version"));
  }
  requirement.version = std::string(rest);
  return requirement;
}

absl::StatusOr<std::vector<Requirement>> ParseRequirements(std::string_view text) {
  std::vector<Requirement> requirements;
  if (text.empty()) return requirements;
  absl::flat_hash_set<std::string> names;
  for (absl::string_view item : absl::StrSplit(ToAbsl(text), ' ')) {
    absl::StatusOr<Requirement> requirement =
        ParseRequirement(internal::FromAbsl(item));
    if (!requirement.ok()) return requirement.status();
    if (!names.insert(requirement->name).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "requirement \"", requirement->name, "\" is named twice"));
    }
    requirements.push_back(*std::move(requirement));
  }
  return requirements;
}

absl::StatusOr<std::vector<Requirement>> RequirementsOf(
    const Fingerprint& fingerprint) {
  const std::optional<std::string_view> field = fingerprint.Get(kRequiresField);
  if (!field) return std::vector<Requirement>();
  absl::StatusOr<std::vector<Requirement>> parsed = ParseRequirements(*field);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plugin '", ToAbsl(internal::EscapeText(fingerprint.name())),
        "': its fingerprint's requires field is malformed: ",
        parsed.status().message()));
  }
  return parsed;
}

}  // namespace preload
