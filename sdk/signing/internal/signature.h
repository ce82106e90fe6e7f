// Copyright the PreloadSDK authors.
//
// signing/internal/signature.h — the cryptography, all of it libsodium's:
// hashing a file through its descriptor (SHA-256 for digest allow-lists,
// BLAKE2b-512 for minisign signatures), Ed25519 keys made, files signed and
// signatures checked. Nothing here is home-made but the plumbing.
#ifndef PRELOAD_SIGNING_INTERNAL_SIGNATURE_H_
#define PRELOAD_SIGNING_INTERNAL_SIGNATURE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "signing/internal/minisign_format.h"

namespace preload::internal {

using Sha256 = std::array<uint8_t, 32>;
using Blake2b512 = std::array<uint8_t, 64>;

// Which hashes HashFile computes. Each costs more than the read itself
// (scripts/bench's hashing part), so a caller asks only for what it checks:
// a Loader with signatures but no digest list never computes SHA-256.
struct WantedHashes {
  bool sha256 = false;
  bool blake2b = false;
};

// The hashes asked for; the others are empty.
struct FileHashes {
  std::optional<Sha256> sha256;
  std::optional<Blake2b512> blake2b;
};

// The `wanted` hashes of the first `size` bytes of the file open on `fd`,
// read with pread from offset 0 (the descriptor's offset is left alone).
// Aborted, naming `path`, when the file ends before `size` bytes: it was
// truncated while being read.
[[nodiscard]] absl::StatusOr<FileHashes> HashFile(int fd, uint64_t size,
                                                  std::string_view path,
                                                  WantedHashes wanted);

// 64 lower-case hex digits, as sha256sum prints them.
std::string HexDigest(const Sha256& digest);

struct KeyPair {
  MinisignPublicKey public_key;
  MinisignSecretKey secret_key;
};
// A new Ed25519 key pair with a random key id.
[[nodiscard]] absl::StatusOr<KeyPair> GenerateKeyPair();

// The signature minisign -S would make of a file whose BLAKE2b-512 is
// `hash`, carrying `trusted_comment` (one line).
[[nodiscard]] absl::StatusOr<MinisignSignature> SignHash(
    const MinisignSecretKey& key, const Blake2b512& hash,
    std::string_view trusted_comment);

// Whether `signature` is `key`'s signature of a file whose BLAKE2b-512 is
// `hash`, trusted comment included. The key ids are compared by the caller,
// which says which keys it trusts; this checks only the mathematics.
[[nodiscard]] bool SignatureMatches(const MinisignPublicKey& key,
                                    const MinisignSignature& signature,
                                    const Blake2b512& hash);

}  // namespace preload::internal

#endif  // PRELOAD_SIGNING_INTERNAL_SIGNATURE_H_
