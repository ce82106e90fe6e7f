// Copyright the PreloadSDK authors.
//
// policy/internal/host_model.h — the host's side of every comparison a
// loader makes, prepared once.
//
// The fields of the host's fingerprint from its first build setting to its
// last (IsBuildSetting: what the rule table compares, whatever fields the
// template writes) are one run of whole lines. A plugin built like its host
// repeats that run byte for byte; then its fields there are equal to the
// host's, and an equal field is refused by no rule, so one comparison of
// bytes stands for all of them. Only the plugin's other fields (its
// identity, flags, host ABIs) are parsed and compared one by one; when the
// bytes differ, everything is, exactly as preload::Compare does. The
// verdict, its order and its messages are Compare's in both cases.
//
//   HostModel model(host);                               // once per loader
//   absl::StatusOr<Fingerprint> plugin = model.Parse(payload);
//   Verdict verdict = CompareWithModel(model, *plugin, policy);
#ifndef PRELOAD_POLICY_INTERNAL_HOST_MODEL_H_
#define PRELOAD_POLICY_INTERNAL_HOST_MODEL_H_

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "fingerprint/internal/known_lines.h"
#include "preload/fingerprint.h"
#include "preload/policy.h"

namespace preload::internal {

class HostModel {
 public:
  explicit HostModel(const Fingerprint& host);

  const Fingerprint& host() const { return host_; }
  // The host's fields [first(), first() + count()) are its build settings'
  // run; count() is 0 when it has none.
  std::size_t first() const { return first_; }
  std::size_t count() const { return count_; }
  // The run's bytes; empty when there is none.
  std::string_view settings() const { return settings_.bytes(); }

  // Whether the host's field `index` is informational: refused by no rule,
  // whatever the two values.
  bool informational(std::size_t index) const { return informational_[index]; }

  // Fingerprint::Parse(payload), quicker for a payload that repeats the run.
  [[nodiscard]] absl::StatusOr<Fingerprint> Parse(std::string_view payload) const {
    return settings_.Parse(payload);
  }
  // The lines outside the run of a fingerprint Parse's quick path made.
  std::optional<KnownLines::OwnLines> OwnLinesOf(const Fingerprint& plugin) const {
    return settings_.OwnLinesOf(plugin);
  }
  // The host's fields outside the run, by index.
  const std::vector<std::size_t>& outside() const { return outside_; }
  // Whether the rule table names `field` exactly as informational.
  bool NamedInformational(std::string_view field) const {
    for (std::string_view name : informational_names_) {
      if (name == field) return true;
    }
    return false;
  }

 private:
  Fingerprint host_;
  std::size_t first_ = 0, count_ = 0;
  KnownLines settings_;
  std::vector<bool> informational_;  // by host field
  std::vector<std::size_t> outside_;
  std::vector<std::string_view> informational_names_;
};

// Compare(model.host(), plugin, policy), with one comparison of bytes for
// the run when the plugin repeats it, and no rule asked about a field the
// host's model knows is informational. `plugin` must come from a parse
// (its keys valid), as the loader's do.
Verdict CompareWithModel(const HostModel& model, const Fingerprint& plugin,
                         Policy policy);

// CompareWithModel(model, plugin, policy).accepted(), without making the
// verdict: what the loader asks of every plugin, and all it asks of one it
// accepts when it is not tracing.
bool AcceptedWithModel(const HostModel& model, const Fingerprint& plugin,
                       Policy policy);

}  // namespace preload::internal

#endif  // PRELOAD_POLICY_INTERNAL_HOST_MODEL_H_
