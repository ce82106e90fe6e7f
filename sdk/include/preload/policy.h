// Copyright the PreloadSDK authors.
//
// preload/policy.h — decide whether a plugin built one way may join a host
// built another way.
//
// `Compare` walks every field of both fingerprints and classifies each one as
// equal, different-but-allowed, refused, or informational (raw flags and
// identity, never a reason to refuse). The resulting `Verdict` is the single
// source of truth for the loader's error message, the CLI's table and JSON.
//
// Every plugin load compares, so the accept path is kept cheap: `Compare`
// builds a `FieldComparison` (with its copies and hint) only for refused
// fields; the full list behind `comparisons()` is built on its first call,
// from the two fingerprints the verdict shares (copies of a `Fingerprint`
// share its fields).
//
// Example:
//
//   preload::Verdict v = preload::Compare(host, plugin, preload::Policy::kStrict);
//   if (!v.accepted()) return v.ToStatus("plugins/hello.so");
//
// The rules, field by field, are in docs/fingerprint.md.
#ifndef PRELOAD_POLICY_H_
#define PRELOAD_POLICY_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "preload/fingerprint.h"

namespace preload {

enum class Policy {
  // Go's rule: every ABI-relevant field, and the compiler's identity and
  // version, must be equal. The default.
  kStrict,
  // The compiler and C++ standard level may differ where the standard-library
  // ABI and the layout probes agree; a plugin may require an older minor
  // version of a host ABI than the host provides.
  kCompatible,
};

// "strict" or "compatible".
std::string_view PolicyName(Policy policy);

// Parses "strict" or "compatible" (exactly). InvalidArgument otherwise.
[[nodiscard]] absl::StatusOr<Policy> ParsePolicy(std::string_view text);

enum class Outcome {
  kEqual,          // both sides have the same value
  kAllowed,        // values differ, and the policy allows it
  kRefused,        // values differ (or one is missing), and the policy refuses it
  kInformational,  // recorded for diagnosis only; never compared
};

// "equal", "allowed", "refused" or "info".
std::string_view OutcomeName(Outcome outcome);

// What to do when the host side of a comparison is the SDK library's own
// fingerprint (kind "sdk"): the host was built without target_preload_host,
// the likeliest mistake of all. The loader's refusal, its trace and
// `preload check --against` a host without a note all say it in these words.
std::string_view NoHostFingerprintHint();

// The comparison of one field. A value absent from one side is "" with
// `*_present` false.
struct FieldComparison {
  std::string field;
  std::string plugin_value;
  std::string host_value;
  bool plugin_present = false;
  bool host_present = false;
  Outcome outcome = Outcome::kEqual;
  // For kRefused (and sometimes kAllowed): what to do about it, e.g.
  // "rebuild the plugin without -D_GLIBCXX_USE_CXX11_ABI=0".
  std::string hint;
};

class Verdict;
namespace internal {
class HostModel;  // policy/internal/host_model.h: the loader's prepared host
Verdict CompareWithModel(const HostModel& host, const Fingerprint& plugin,
                         Policy policy);
}  // namespace internal

class Verdict {
 public:
  // A verdict over comparisons made elsewhere (tests, tools).
  Verdict(Policy policy, std::vector<FieldComparison> comparisons);

  Policy policy() const { return policy_; }
  // True when no field is refused.
  bool accepted() const { return refusals_.empty(); }
  // Every field compared, in a stable order: the plugin's fields in payload
  // order, then fields only the host has. Built on the first call (safe from
  // several threads); the reference stays valid as long as any copy of this
  // verdict.
  const std::vector<FieldComparison>& comparisons() const;
  // Only the refused fields, in the same order.
  std::vector<FieldComparison> Refusals() const { return refusals_; }

  // One line per refused field: "  field: plugin has X, host has Y; hint".
  std::string DescribeRefusals() const;

  // Whether the host side is the SDK's own fingerprint, not a host's: then
  // every refusal also says NoHostFingerprintHint().
  bool host_is_sdk() const { return host_is_sdk_; }

  // OkStatus when accepted; otherwise FailedPrecondition whose message names
  // `file`, the policy, and every refused field with both values and a hint,
  // then, when host_is_sdk(), NoHostFingerprintHint() on a line of its own.
  absl::Status ToStatus(std::string_view file) const;

 private:
  friend Verdict Compare(const Fingerprint& host, const Fingerprint& plugin,
                         Policy policy);
  friend Verdict internal::CompareWithModel(const internal::HostModel& host,
                                            const Fingerprint& plugin,
                                            Policy policy);
  struct Listing;  // what comparisons() is built from, and its result

  Verdict(Policy policy, std::vector<FieldComparison> refusals,
          std::shared_ptr<Listing> listing);
  // The verdict of comparing `host` and `plugin`, whose refused fields are
  // `refusals`; comparisons() lists every field from the two.
  static Verdict Of(const Fingerprint& host, const Fingerprint& plugin,
                    Policy policy, std::vector<FieldComparison> refusals);

  Policy policy_;
  bool host_is_sdk_ = false;
  std::vector<FieldComparison> refusals_;
  std::shared_ptr<Listing> listing_;  // shared by copies; never null
};

// Compares a plugin's fingerprint with the host's under `policy`.
Verdict Compare(const Fingerprint& host, const Fingerprint& plugin,
                Policy policy);

}  // namespace preload

#endif  // PRELOAD_POLICY_H_
