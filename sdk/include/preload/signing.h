// Copyright the PreloadSDK authors.
//
// preload/signing.h — what a host needs to say which plugins it trusts: the
// public keys that must have signed them, and the digests they must have.
//
//   preload::LoaderOptions options;
//   absl::StatusOr<std::string> key = preload::ReadPublicKeyFile("vendor.pub");
//   if (!key.ok()) return key.status();
//   options.trusted_keys.push_back(*key);
//   absl::StatusOr<std::vector<std::string>> digests =
//       preload::ReadSha256File("/etc/app/plugins.sha256");
//   if (digests.ok()) options.allowed_sha256 = *digests;
//   preload::Loader loader(options);
//
// Keys and signatures are minisign's (https://jedisct1.github.io/minisign/):
// `preload keygen` and `minisign -G -W` make the same key files, and a
// plugin signed by either (`preload sign`, `minisign -S`) has its signature
// in PLUGIN.so.minisig beside it. docs/signing.md is the workflow.
#ifndef PRELOAD_SIGNING_H_
#define PRELOAD_SIGNING_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace preload {

// The public key in the minisign key file `path` (NAME.pub), as the one line
// LoaderOptions::trusted_keys takes. Errors name the file.
[[nodiscard]] absl::StatusOr<std::string> ReadPublicKeyFile(std::string_view path);

// The key id of a public key (a .pub file's contents, or its key line) as
// minisign and `preload` print it: 16 upper-case hex digits.
[[nodiscard]] absl::StatusOr<std::string> PublicKeyId(std::string_view key);

// The SHA-256 digests listed in `text`, in sha256sum's output format: one
// "<64 hex digits>  <file name>" (or " *<file name>") per line; blank lines
// and lines starting with '#' are skipped; the names are not used. The
// digests come back in lower case. InvalidArgument naming `source` and the
// line for anything else.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ParseSha256List(
    std::string_view text, std::string_view source);
// The same, read from the file `path`.
[[nodiscard]] absl::StatusOr<std::vector<std::string>> ReadSha256File(
    std::string_view path);

}  // namespace preload

#endif  // PRELOAD_SIGNING_H_
