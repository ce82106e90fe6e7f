// Copyright the PreloadSDK authors.
//
// Compare two fingerprints field by field and render the verdict. The rule for
// each field lives in internal/field_rules.cc.
#include "preload/policy.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "policy/internal/field_rules.h"

namespace preload {
namespace {

using internal::ToAbsl;

// A value as it reads in a message: an empty value is "", a missing one
// says so.
std::string Shown(const std::string& value, bool present) {
  if (!present) return "no such field";
  if (value.empty()) return "\"\"";
  return internal::EscapeText(value);  // from the plugin's file, or the host's
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

std::string_view NoHostFingerprintHint() {
  return "the host has no fingerprint of its own, so plugins are compared "
         "with the PreloadSDK library's, which says nothing of how the host "
         "was built: give the host its own with "
         "target_preload_host(<target> ...) in its CMakeLists.txt";
}

std::string Verdict::DescribeRefusals() const {
  std::string out;
  for (const FieldComparison& c : refusals_) {
    if (!out.empty()) out += '\n';
    absl::StrAppend(&out, "  ", c.field, ": plugin has ",
                    Shown(c.plugin_value, c.plugin_present), ", host has ",
                    Shown(c.host_value, c.host_present), "; ",
                    internal::EscapeText(c.hint));
  }
  return out;
}

absl::Status Verdict::ToStatus(std::string_view file) const {
  const std::size_t refused = refusals_.size();
  if (refused == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      ToAbsl(file), ": refused under the ", ToAbsl(PolicyName(policy_)),
      " policy: ", refused, refused == 1 ? " field differs" : " fields differ",
      " from the host's build\n", DescribeRefusals(),
      host_is_sdk_ ? "\n  " : "",
      host_is_sdk_ ? ToAbsl(NoHostFingerprintHint()) : ""));
}

namespace {

// Finds fields of one fingerprint in the order of another's. Two
// fingerprints made by the same template list their fields in the same order
// (a host lacks a plugin's few own fields), so each lookup usually hits the
// field after the previous hit, and Compare stays linear, not quadratic.
class OrderedLookup {
 public:
  explicit OrderedLookup(const Fingerprint& fingerprint)
      : fields_(fingerprint.field_views()) {}

  // The index of the field named `key`, or kNone.
  std::size_t Find(std::string_view key) {
    if (next_ < fields_.size() && fields_[next_].key == key) return next_++;
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (fields_[i].key == key) {
        next_ = i + 1;
        return i;
      }
    }
    return kNone;
  }

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

 private:
  const std::vector<FingerprintFieldView>& fields_;
  std::size_t next_ = 0;
};

// Calls visit(key, values) for every field in the order comparisons() lists
// them: the plugin's fields in payload order, then the host's fields the
// plugin lacks.
template <typename Visit>
void ForEachField(const Fingerprint& host, const Fingerprint& plugin,
                  Visit visit) {
  const std::vector<FingerprintFieldView>& host_fields = host.field_views();
  // Host fields already paired need no lookup in the second walk.
  absl::InlinedVector<bool, 64> paired(host_fields.size(), false);
  OrderedLookup in_host(host);
  for (const FingerprintFieldView& field : plugin.field_views()) {
    const std::size_t i = in_host.Find(field.key);
    if (i == OrderedLookup::kNone) {
      visit(field.key, internal::FieldValues{field.value, std::nullopt});
      continue;
    }
    paired[i] = true;
    visit(field.key, internal::FieldValues{field.value, host_fields[i].value});
  }
  OrderedLookup in_plugin(plugin);
  for (std::size_t i = 0; i < host_fields.size(); ++i) {
    const FingerprintFieldView& field = host_fields[i];
    if (paired[i] || in_plugin.Find(field.key) != OrderedLookup::kNone) {
      continue;
    }
    visit(field.key, internal::FieldValues{std::nullopt, field.value});
  }
}

}  // namespace

// The fingerprints a Compare verdict lists its comparisons from (shared, not
// copied), or the comparisons it was given.
struct Verdict::Listing {
  std::optional<Fingerprint> host;
  std::optional<Fingerprint> plugin;
  Policy policy = Policy::kStrict;
  absl::once_flag once;
  std::vector<FieldComparison> comparisons;
};

Verdict::Verdict(Policy policy, std::vector<FieldComparison> comparisons)
    : policy_(policy), listing_(std::make_shared<Listing>()) {
  for (const FieldComparison& comparison : comparisons) {
    if (comparison.outcome == Outcome::kRefused) {
      refusals_.push_back(comparison);
    }
  }
  listing_->comparisons = std::move(comparisons);
}

Verdict::Verdict(Policy policy, std::vector<FieldComparison> refusals,
                 std::shared_ptr<Listing> listing)
    : policy_(policy),
      refusals_(std::move(refusals)),
      listing_(std::move(listing)) {}

const std::vector<FieldComparison>& Verdict::comparisons() const {
  Listing& listing = *listing_;
  absl::call_once(listing.once, [&listing] {
    if (!listing.host || !listing.plugin) return;  // given, not compared
    listing.comparisons.reserve(listing.plugin->field_views().size() + 8);
    ForEachField(
        *listing.host, *listing.plugin,
        [&](std::string_view key, internal::FieldValues values) {
          listing.comparisons.push_back(internal::CompareField(
              key, values, *listing.host, *listing.plugin, listing.policy));
        });
  });
  return listing.comparisons;
}

Verdict Compare(const Fingerprint& host, const Fingerprint& plugin,
                Policy policy) {
  // Only refused fields are spelt out now; CompareField makes them exactly
  // as comparisons() will.
  std::vector<FieldComparison> refusals;
  ForEachField(
      host, plugin, [&](std::string_view key, internal::FieldValues values) {
        if (internal::Refuses(key, values, host, plugin, policy)) {
          refusals.push_back(
              internal::CompareField(key, values, host, plugin, policy));
        }
      });
  auto listing = std::make_shared<Verdict::Listing>();
  listing->host = host;
  listing->plugin = plugin;
  listing->policy = policy;
  Verdict verdict(policy, std::move(refusals), std::move(listing));
  verdict.host_is_sdk_ = host.kind() == "sdk";
  return verdict;
}

}  // namespace preload
