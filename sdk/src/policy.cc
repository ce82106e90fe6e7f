// Copyright the PreloadSDK authors.
//
// Compare two fingerprints field by field and render the verdict. The rule for
// each field lives in internal/field_rules.cc.
#include "preload/policy.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/field_rules.h"
#include "internal/string_view.h"

namespace preload {
namespace {

using internal::ToAbsl;

// A value as it reads in a message: an empty value is "", a missing one
// says so.
std::string Shown(const std::string& value, bool present) {
  if (!present) return "no such field";
  if (value.empty()) return "\"\"";
  return value;
}

}  // namespace

std::string_view PolicyName(Policy policy) {
  switch (policy) {
    case Policy::kStrict:
      return "strict";
    case Policy::kCompatible:
      return "compatible";
  }
  return "unknown";
}

absl::StatusOr<Policy> ParsePolicy(std::string_view text) {
  for (Policy policy : {Policy::kStrict, Policy::kCompatible}) {
    if (text == PolicyName(policy)) return policy;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown policy \"", ToAbsl(text),
                   "\"; expected \"strict\" or \"compatible\""));
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kEqual:
      return "equal";
    case Outcome::kAllowed:
      return "allowed";
    case Outcome::kRefused:
      return "refused";
    case Outcome::kInformational:
      return "info";
  }
  return "unknown";
}

bool Verdict::accepted() const {
  for (const FieldComparison& comparison : comparisons_) {
    if (comparison.outcome == Outcome::kRefused) return false;
  }
  return true;
}

std::vector<FieldComparison> Verdict::Refusals() const {
  std::vector<FieldComparison> refusals;
  for (const FieldComparison& comparison : comparisons_) {
    if (comparison.outcome == Outcome::kRefused) refusals.push_back(comparison);
  }
  return refusals;
}

std::string Verdict::DescribeRefusals() const {
  std::string out;
  for (const FieldComparison& c : comparisons_) {
    if (c.outcome != Outcome::kRefused) continue;
    if (!out.empty()) out += '\n';
    absl::StrAppend(&out, "  ", c.field, ": plugin has ",
                    Shown(c.plugin_value, c.plugin_present), ", host has ",
                    Shown(c.host_value, c.host_present), "; ", c.hint);
  }
  return out;
}

absl::Status Verdict::ToStatus(std::string_view file) const {
  const std::size_t refused = Refusals().size();
  if (refused == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      ToAbsl(file), ": refused under the ", ToAbsl(PolicyName(policy_)),
      " policy: ", refused, refused == 1 ? " field differs" : " fields differ",
      " from the host's build\n", DescribeRefusals()));
}

namespace {

// Finds fields of one fingerprint in the order of another's. Two
// fingerprints made by the same template list their fields in the same order
// (a host lacks a plugin's few own fields), so each lookup usually hits the
// field after the previous hit, and Compare stays linear, not quadratic.
class OrderedLookup {
 public:
  explicit OrderedLookup(const Fingerprint& fingerprint)
      : fields_(fingerprint.fields()) {}

  std::optional<std::string_view> Find(std::string_view key) {
    if (next_ < fields_.size() && fields_[next_].key == key) {
      return fields_[next_++].value;
    }
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (fields_[i].key == key) {
        next_ = i + 1;
        return fields_[i].value;
      }
    }
    return std::nullopt;
  }

 private:
  const std::vector<FingerprintField>& fields_;
  std::size_t next_ = 0;
};

}  // namespace

Verdict Compare(const Fingerprint& host, const Fingerprint& plugin,
                Policy policy) {
  std::vector<FieldComparison> comparisons;
  comparisons.reserve(plugin.fields().size() + 8);
  OrderedLookup in_host(host);
  for (const FingerprintField& field : plugin.fields()) {
    comparisons.push_back(internal::CompareField(
        field.key, {field.value, in_host.Find(field.key)}, host, plugin,
        policy));
  }
  OrderedLookup in_plugin(plugin);
  for (const FingerprintField& field : host.fields()) {
    if (in_plugin.Find(field.key)) continue;
    comparisons.push_back(internal::CompareField(
        field.key, {std::nullopt, field.value}, host, plugin, policy));
  }
  return Verdict(policy, std::move(comparisons));
}

}  // namespace preload
