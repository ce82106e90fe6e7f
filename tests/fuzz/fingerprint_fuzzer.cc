// Copyright the PreloadSDK authors.
//
// Fuzz target for the fingerprint payload parser and, through what it
// accepts, the policy: every payload Fingerprint::Parse accepts is serialized
// back (the format promises the same bytes) and compared, under both
// policies, with a real fingerprint (the SDK's own, compiled into this
// binary) as host and as plugin, and with itself; its `requires` field, if
// any, is parsed as the loader parses it. Seeds: the payloads of real
// plugins and hosts (tests/fuzz/corpus/fingerprint, made by make_corpus.py).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "preload/fingerprint.h"
#include "preload/policy.h"
#include "preload/requirements.h"

namespace {

// The payload as Serialize writes it back: trailing NULs (note padding)
// dropped, and the optional final newline present.
std::string Normalized(std::string_view payload) {
  while (!payload.empty() && payload.back() == '\0') payload.remove_suffix(1);
  std::string out(payload);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

void CheckVerdict(const preload::Verdict& verdict,
                  const preload::Fingerprint& plugin) {
  // Every plugin field is compared, in order, before the host-only ones.
  FUZZ_CHECK(verdict.comparisons().size() >= plugin.fields().size());
  for (size_t i = 0; i < plugin.fields().size(); ++i) {
    FUZZ_CHECK(verdict.comparisons()[i].field == plugin.fields()[i].key);
  }
  for (const preload::FieldComparison& c : verdict.comparisons()) {
    // A refusal always says what to do about it.
    if (c.outcome == preload::Outcome::kRefused) FUZZ_CHECK(!c.hint.empty());
    if (c.outcome == preload::Outcome::kEqual) {
      FUZZ_CHECK(c.plugin_present && c.host_present);
    }
  }
  const absl::Status status = verdict.ToStatus("fuzzed.so");
  FUZZ_CHECK(status.ok() == verdict.accepted());
  FUZZ_CHECK(verdict.accepted() == verdict.Refusals().empty());
  if (!status.ok()) {
    FUZZ_CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  }
}

void FuzzPolicy(const preload::Fingerprint& parsed) {
  const preload::Fingerprint& real = preload::SdkFingerprint();
  for (preload::Policy policy :
       {preload::Policy::kStrict, preload::Policy::kCompatible}) {
    CheckVerdict(preload::Compare(real, parsed, policy), parsed);
    CheckVerdict(preload::Compare(parsed, real, policy), real);
    // Whatever its fields say, a build is compatible with itself.
    const preload::Verdict self = preload::Compare(parsed, parsed, policy);
    CheckVerdict(self, parsed);
    FUZZ_CHECK(self.accepted());
  }
}

// A `requires` field parses to requirements that print back as written, or
// is refused as InvalidArgument.
void FuzzRequirements(const preload::Fingerprint& parsed) {
  absl::StatusOr<std::vector<preload::Requirement>> needs =
      preload::RequirementsOf(parsed);
  if (!needs.ok()) {
    FUZZ_CHECK(needs.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  std::string written;
  for (const preload::Requirement& requirement : *needs) {
    written += (written.empty() ? "" : " ") + requirement.ToString();
    (void)requirement.SatisfiedBy(parsed.version());
  }
  FUZZ_CHECK(written == parsed.Get("requires").value_or(""));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<preload::Fingerprint> parsed =
      preload::Fingerprint::Parse(payload);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  const std::string serialized = parsed->Serialize();
  FUZZ_CHECK(serialized == Normalized(payload));
  absl::StatusOr<preload::Fingerprint> again =
      preload::Fingerprint::Parse(serialized);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->Serialize() == serialized);
  (void)parsed->HostAbis();
  FuzzPolicy(*parsed);
  FuzzRequirements(*parsed);
  return 0;
}
