// Copyright the PreloadSDK authors.
//
// loader/internal/provenance.h — who made a plugin, checked before it is
// mapped: the keys that must have signed it (LoaderOptions::trusted_keys
// and the keys compiled into the host's note, target_preload_host
// TRUSTED_KEYS) and the digests it must have (LoaderOptions::
// allowed_sha256). The file is hashed through the descriptor that will be
// mapped, or the sealed copy that will be; the loader's change check before
// mapping refuses a file written to after that.
#ifndef PRELOAD_LOADER_INTERNAL_PROVENANCE_H_
#define PRELOAD_LOADER_INTERNAL_PROVENANCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "loader/internal/trace.h"
#include "preload/fingerprint.h"
#include "signing/internal/minisign_format.h"

namespace preload::internal {

// The note field a host's TRUSTED_KEYS are recorded in: the keys' base64
// lines, separated by spaces.
inline constexpr std::string_view kTrustedKeysField = "trusted_keys";
// A detached signature lies beside its plugin, named as minisign names it.
inline constexpr std::string_view kSignatureSuffix = ".minisig";

// The payload a provenance refusal carries under this type URL, so that
// callers (preload check) tell its kinds apart without reading the message:
// "unsigned", "wrong_key", "bad_signature", "not_allowed" (digest), "io"
// (the signature could not be read) or "keys" (a trusted key is unusable).
inline constexpr std::string_view kProvenancePayload = "preload.provenance";

struct TrustedKey {
  MinisignPublicKey key;
  std::string id;      // KeyIdText
  std::string source;  // "the host's note" or "LoaderOptions::trusted_keys"
};

struct Provenance {
  std::vector<TrustedKey> keys;  // none: signatures are not required
  std::optional<absl::flat_hash_set<std::string>> sha256;  // lower-case hex
  // A key or digest that could not be understood: nothing is accepted, as
  // the host meant to restrict what it loads.
  absl::Status error;

  bool required() const { return !keys.empty() || sha256 || !error.ok(); }
  // "F80A25E8E3C61CD9 (the host's note), ..." for messages.
  std::string DescribeKeys() const;
};

Provenance MakeProvenance(const std::vector<std::string>& option_keys,
                          const std::optional<std::vector<std::string>>& sha256,
                          const Fingerprint& host);

// Checks the plugin open on `fd` (`size` bytes; the file itself or its
// sealed copy), found at `path`, whose signature is `path` + ".minisig".
// PermissionDenied with the kProvenancePayload for a refusal, naming the key
// found and the keys trusted.
[[nodiscard]] absl::Status CheckProvenance(const Provenance& provenance, int fd,
                                           uint64_t size, const std::string& path,
                                           const Tracer& trace);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_PROVENANCE_H_
