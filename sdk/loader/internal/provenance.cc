// Copyright the PreloadSDK authors.
#include "loader/internal/provenance.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "signing/internal/signature.h"
#include "signing/internal/small_file.h"

namespace preload::internal {
namespace {

absl::Status Refusal(std::string_view kind, std::string message) {
  absl::Status status = absl::PermissionDeniedError(std::move(message));
  status.SetPayload(ToAbsl(kProvenancePayload), absl::Cord(ToAbsl(kind)));
  return status;
}

absl::Status AddKey(Provenance& provenance, std::string_view text,
                    std::string source) {
  absl::StatusOr<MinisignPublicKey> key = ParsePublicKey(text);
  if (!key.ok()) {
    return Refusal("keys", absl::StrCat(
        "a trusted key (", source, ") is unusable: ", key.status().message(),
        "; so no plugin is accepted: give the key as preload keygen or "
        "minisign -G wrote it (preload::ReadPublicKeyFile reads NAME.pub)"));
  }
  provenance.keys.push_back(
      TrustedKey{*key, KeyIdText(key->key_id), std::move(source)});
  return absl::OkStatus();
}

bool IsTrusted(const Provenance& provenance, const MinisignSignature& signature,
               const TrustedKey** found) {
  for (const TrustedKey& trusted : provenance.keys) {
    if (trusted.key.key_id == signature.key_id) {
      *found = &trusted;
      return true;
    }
  }
  return false;
}

absl::Status CheckDigest(const Provenance& provenance, const Sha256& sha256,
                         const std::string& path, const Tracer& trace) {
  const std::string hex = HexDigest(sha256);
  if (!provenance.sha256->contains(hex)) {
    return Refusal("not_allowed", absl::StrCat(
        path, ": refused: its SHA-256 ", hex, " is not among the ",
        provenance.sha256->size(), " digests this loader allows "
        "(LoaderOptions::allowed_sha256); if this build is one to trust, add "
        "its line (preload digest ", path, ") to the list"));
  }
  trace.Line(TraceCategory::kVerify, path, ": digest: SHA-256 ", hex, " allowed");
  return absl::OkStatus();
}

absl::Status CheckSignature(const Provenance& provenance, const Blake2b512& hash,
                            const std::string& path, const Tracer& trace) {
  const std::string signature_path = absl::StrCat(path, ToAbsl(kSignatureSuffix));
  absl::StatusOr<std::string> text =
      ReadSmallFile(signature_path, kMaxSignatureFileBytes);
  if (absl::IsNotFound(text.status())) {
    return Refusal("unsigned", absl::StrCat(
        path, ": refused: it is not signed (no ", signature_path,
        "), and this loader accepts only plugins signed by ",
        provenance.DescribeKeys(), ": sign it with one of these keys "
        "(preload sign --key KEY.key ", path, ")"));
  }
  if (!text.ok()) {
    absl::Status status(text.status().code(),
                        absl::StrCat(path, ": refused: its signature could not "
                                     "be read: ", text.status().message()));
    status.SetPayload(ToAbsl(kProvenancePayload), absl::Cord("io"));
    return status;
  }
  absl::StatusOr<MinisignSignature> signature = ParseSignature(*text);
  if (!signature.ok()) {
    return Refusal("bad_signature", absl::StrCat(
        path, ": refused: its signature ", signature_path, " is damaged (",
        signature.status().message(), "); sign the plugin again"));
  }
  const std::string found = KeyIdText(signature->key_id);
  const TrustedKey* key = nullptr;
  if (!IsTrusted(provenance, *signature, &key)) {
    return Refusal("wrong_key", absl::StrCat(
        path, ": refused: it is signed by key ", found, ", which this loader "
        "does not trust; it trusts ", provenance.DescribeKeys(),
        ": sign it with one of these, or trust key ", found, " too"));
  }
  if (!SignatureMatches(key->key, *signature, hash)) {
    return Refusal("bad_signature", absl::StrCat(
        path, ": refused: its signature ", signature_path, " by key ", found,
        " does not match the file: the plugin or its signature was changed "
        "after signing, or the signature is another file's; sign this build "
        "again"));
  }
  trace.Line(TraceCategory::kVerify, path, ": signature: signed by trusted key ",
             found, " (", key->source, "); trusted comment: ",
             EscapeText(signature->trusted_comment));
  return absl::OkStatus();
}

}  // namespace

std::string Provenance::DescribeKeys() const {
  std::string out;
  for (const TrustedKey& key : keys) {
    absl::StrAppend(&out, out.empty() ? "key " : ", ", key.id, " (", key.source, ")");
  }
  return out.empty() ? "no key" : out;
}

Provenance MakeProvenance(const std::vector<std::string>& option_keys,
                          const std::optional<std::vector<std::string>>& sha256,
                          const Fingerprint& host) {
  Provenance provenance;
  auto keep_first_error = [&provenance](absl::Status status) {
    if (provenance.error.ok()) provenance.error = std::move(status);
  };
  if (std::optional<std::string_view> recorded = host.Get(kTrustedKeysField)) {
    for (absl::string_view line :
         absl::StrSplit(ToAbsl(*recorded), ' ', absl::SkipEmpty())) {
      keep_first_error(AddKey(provenance, FromAbsl(line), "the host's note"));
    }
  }
  for (const std::string& key : option_keys) {
    keep_first_error(AddKey(provenance, key, "LoaderOptions::trusted_keys"));
  }
  if (sha256) {
    provenance.sha256.emplace();
    for (const std::string& digest : *sha256) {
      provenance.sha256->insert(absl::AsciiStrToLower(digest));
    }
  }
  return provenance;
}

absl::Status CheckProvenance(const Provenance& provenance, int fd, uint64_t size,
                             const std::string& path, const Tracer& trace) {
  if (!provenance.required()) return absl::OkStatus();
  if (!provenance.error.ok()) {
    return Refusal("keys", absl::StrCat(path, ": refused: ",
                                        provenance.error.message()));
  }
  WantedHashes wanted;
  wanted.sha256 = provenance.sha256.has_value();
  wanted.blake2b = !provenance.keys.empty();
  absl::StatusOr<FileHashes> hashes = HashFile(fd, size, path, wanted);
  if (!hashes.ok()) return hashes.status();
  if (provenance.sha256) {
    if (absl::Status allowed = CheckDigest(provenance, *hashes->sha256, path, trace);
        !allowed.ok()) {
      return allowed;
    }
  }
  if (provenance.keys.empty()) return absl::OkStatus();
  return CheckSignature(provenance, *hashes->blake2b, path, trace);
}

}  // namespace preload::internal
