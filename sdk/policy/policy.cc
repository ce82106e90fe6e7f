// Copyright the PreloadSDK authors.
//
// Compare two fingerprints field by field and render the verdict. The rule for
// each field lives in internal/field_rules.cc.
#include "preload/policy.h"

#include <cstddef>
#include <cstdint>
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
#include "absl/types/span.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "policy/internal/field_rules.h"
#include "policy/internal/host_model.h"

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

// Calls visit(key, values) for every field in the order comparisons()
// lists them: the plugin's fields in payload order, then the host's fields
// the plugin lacks.
template <typename Visit>
void ForEachField(const Fingerprint& host, const Fingerprint& plugin,
                  Visit visit) {
  const std::vector<FingerprintFieldView>& host_fields = host.field_views();
  const std::vector<FingerprintFieldView>& plugin_fields = plugin.field_views();
  // Host fields already paired need no lookup in the second walk.
  absl::InlinedVector<bool, 64> paired(host_fields.size(), false);
  OrderedLookup in_host(host);
  for (const FingerprintFieldView& field : plugin_fields) {
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

// Fields known equal on both sides: the plugin's [plugin_first,
// plugin_first + count) are the host's [host_first, host_first + count).
struct EqualRun {
  std::size_t plugin_first = 0, host_first = 0, count = 0;
};

// Where the plugin repeats the host's run of build settings byte for byte,
// if it does: the run's first key is looked for among the plugin's first
// fields, then the bytes its fields span are compared.
std::optional<EqualRun> RepeatedRun(const internal::HostModel& model,
                                    const Fingerprint& plugin) {
  const std::string_view run = model.settings();
  if (run.empty()) return std::nullopt;
  const std::vector<FingerprintFieldView>& fields = plugin.field_views();
  const std::string_view first_key =
      model.host().field_views()[model.first()].key;
  for (std::size_t p = 0; p + model.count() <= fields.size(); ++p) {
    if (fields[p].key != first_key) continue;
    const FingerprintFieldView& last = fields[p + model.count() - 1];
    const char* begin = fields[p].key.data();
    const char* end = last.value.data() + last.value.size();
    // Fields are views into one text, each line ending with '\n'.
    const std::string_view span(begin, static_cast<std::size_t>(end - begin) + 1);
    if (span != run) return std::nullopt;
    return EqualRun{p, model.first(), model.count()};
  }
  return std::nullopt;
}

// The plugin's fields outside the host's run, in payload order: its quick
// parse's own lines, or its fields but those of the run.
struct OutsideRun {
  // The fields, but [run_first, run_first + run_count).
  absl::Span<const FingerprintFieldView> fields;
  std::size_t run_first = 0, run_count = 0;
  // Where the quick parse paired them with the host's fields: the host
  // field's index, or KnownLines::kNotInModel. Empty when not known.
  absl::Span<const std::uint32_t> in_host;
};

std::optional<OutsideRun> FieldsOutsideRun(const internal::HostModel& model,
                                           const Fingerprint& plugin) {
  if (std::optional<internal::KnownLines::OwnLines> own = model.OwnLinesOf(plugin)) {
    return OutsideRun{own->fields, 0, 0, own->in_model};
  }
  const std::optional<EqualRun> equal = RepeatedRun(model, plugin);
  if (!equal) return std::nullopt;
  return OutsideRun{plugin.field_views(), equal->plugin_first, equal->count, {}};
}

// The index of the host's field named `key` among those outside the run,
// looked for at `*next` first; host_outside.size() when there is none.
std::size_t FindOutside(const std::vector<FingerprintFieldView>& host_fields,
                        const std::vector<std::size_t>& host_outside,
                        std::string_view key, std::size_t* next) {
  if (*next < host_outside.size() && host_fields[host_outside[*next]].key == key) {
    return (*next)++;
  }
  for (std::size_t j = 0; j < host_outside.size(); ++j) {
    if (host_fields[host_outside[j]].key == key) {
      *next = j + 1;
      return j;
    }
  }
  return host_outside.size();
}

// Calls on_refused(key, values) for each field of `outside` whose rule
// refuses it, in payload order, until it returns false; returns false if it
// did. For a plugin that repeats the host's run these are all the refused
// fields there are: it has every field of the run with the host's value,
// and the host's fields outside the run are informational or host ABIs (or
// their hashes), which no rule refuses a plugin for lacking. A field of
// `outside` cannot pair with one of the run (keys are distinct, and the
// plugin's run has all of the run's), so only the host's fields outside it
// are searched, in order first.
template <typename OnRefused>
bool ForEachRefusedOutside(const internal::HostModel& model,
                           const Fingerprint& plugin, Policy policy,
                           const OutsideRun& outside, OnRefused on_refused) {
  const Fingerprint& host = model.host();
  const std::vector<FingerprintFieldView>& host_fields = host.field_views();
  const std::vector<std::size_t>& host_outside = model.outside();
  std::size_t next = 0;
  for (std::size_t p = 0; p < outside.fields.size(); ++p) {
    if (p == outside.run_first && outside.run_count != 0) {
      p += outside.run_count - 1;
      continue;
    }
    const FingerprintFieldView& field = outside.fields[p];
    std::size_t i = internal::KnownLines::kNotInModel;
    if (!outside.in_host.empty()) i = outside.in_host[p];
    if (i == internal::KnownLines::kNotInModel) {
      const std::size_t j = FindOutside(host_fields, host_outside, field.key, &next);
      if (j != host_outside.size()) i = host_outside[j];
    }
    internal::FieldValues values{field.value, std::nullopt};
    if (i != internal::KnownLines::kNotInModel) {
      if (model.informational(i)) continue;
      values.host = host_fields[i].value;
    } else if (model.NamedInformational(field.key)) {
      continue;  // the descriptor, a plugin's metadata: never refused
    }
    if (internal::Refuses(field.key, values, host, plugin, policy) &&
        !on_refused(field.key, values)) {
      return false;
    }
  }
  return true;
}

// The refused fields of `plugin` against `host`.
std::vector<FieldComparison> Refusals(const Fingerprint& host,
                                      const Fingerprint& plugin, Policy policy);

}  // namespace

namespace internal {

HostModel::HostModel(const Fingerprint& host)
    : host_(host), informational_names_(InformationalFields()) {
  const std::vector<FingerprintFieldView>& fields = host.field_views();
  std::size_t first = fields.size(), last = 0;
  informational_.reserve(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    informational_.push_back(IsInformational(fields[i].key));
    if (!IsBuildSetting(fields[i].key)) continue;
    if (first == fields.size()) first = i;
    last = i;
  }
  if (first == fields.size()) return;
  settings_ = KnownLines(host, first, last - first + 1);
  if (settings_.bytes().empty()) return;  // not lines a parse gives
  first_ = first;
  count_ = last - first + 1;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i < first_ || i >= first_ + count_) outside_.push_back(i);
  }
}

Verdict CompareWithModel(const HostModel& model, const Fingerprint& plugin,
                         Policy policy) {
  const std::optional<OutsideRun> outside = FieldsOutsideRun(model, plugin);
  if (!outside) return Compare(model.host(), plugin, policy);
  std::vector<FieldComparison> refusals;
  ForEachRefusedOutside(model, plugin, policy, *outside,
                        [&](std::string_view key, FieldValues values) {
                          refusals.push_back(CompareField(
                              key, values, model.host(), plugin, policy));
                          return true;
                        });
  return Verdict::Of(model.host(), plugin, policy, std::move(refusals));
}

bool AcceptedWithModel(const HostModel& model, const Fingerprint& plugin,
                       Policy policy) {
  const std::optional<OutsideRun> outside = FieldsOutsideRun(model, plugin);
  if (!outside) return Refusals(model.host(), plugin, policy).empty();
  return ForEachRefusedOutside(model, plugin, policy, *outside,
                               [](std::string_view, FieldValues) { return false; });
}

}  // namespace internal

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

namespace {

std::vector<FieldComparison> Refusals(const Fingerprint& host,
                                      const Fingerprint& plugin, Policy policy) {
  // Only refused fields are spelt out now; CompareField makes them exactly
  // as comparisons() will.
  std::vector<FieldComparison> refusals;
  ForEachField(host, plugin,
               [&](std::string_view key, internal::FieldValues values) {
                 if (internal::Refuses(key, values, host, plugin, policy)) {
                   refusals.push_back(
                       internal::CompareField(key, values, host, plugin, policy));
                 }
               });
  return refusals;
}

}  // namespace

Verdict Verdict::Of(const Fingerprint& host, const Fingerprint& plugin,
                    Policy policy, std::vector<FieldComparison> refusals) {
  auto listing = std::make_shared<Listing>();
  listing->host = host;
  listing->plugin = plugin;
  listing->policy = policy;
  Verdict verdict(policy, std::move(refusals), std::move(listing));
  verdict.host_is_sdk_ = host.kind() == "sdk";
  return verdict;
}

Verdict Compare(const Fingerprint& host, const Fingerprint& plugin,
                Policy policy) {
  return Verdict::Of(host, plugin, policy, Refusals(host, plugin, policy));
}

}  // namespace preload
