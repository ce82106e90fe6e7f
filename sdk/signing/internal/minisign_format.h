// Copyright the PreloadSDK authors.
//
// signing/internal/minisign_format.h — minisign's key and signature files,
// parsed and written, byte for byte as minisign(1) reads and writes them, so
// that a team can sign with either tool and verify with the other:
//
//   NAME.pub      untrusted comment: minisign public key <KEY ID>
//                 base64("Ed" | key id (8) | Ed25519 public key (32))
//   NAME.key      untrusted comment: ...
//                 base64("Ed" | kdf "\0\0" | "B2" | salt (32) | opslimit (8)
//                        | memlimit (8) | key id (8) | secret key (64)
//                        | checksum (32))
//   FILE.minisig  untrusted comment: ...
//                 base64("ED" | key id (8) | Ed25519 signature (64))
//                 trusted comment: <text>
//                 base64(Ed25519 signature of (signature | trusted comment))
//
// "ED" signs the BLAKE2b-512 hash of the file (minisign's default since
// 0.8); legacy "Ed" signatures of the whole file are refused by name.
// Parsing only: no signature is checked here (ed25519.h does that). Every
// parser takes untrusted bytes and is fuzzed (tests/fuzz/signature_fuzzer).
#ifndef PRELOAD_SIGNING_INTERNAL_MINISIGN_FORMAT_H_
#define PRELOAD_SIGNING_INTERNAL_MINISIGN_FORMAT_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace preload::internal {

using KeyId = std::array<uint8_t, 8>;

struct MinisignPublicKey {
  KeyId key_id{};
  std::array<uint8_t, 32> key{};
};

struct MinisignSecretKey {
  KeyId key_id{};
  std::array<uint8_t, 64> key{};  // libsodium's: seed, then public key
};

struct MinisignSignature {
  KeyId key_id{};
  std::array<uint8_t, 64> signature{};         // of the file's BLAKE2b-512
  std::string trusted_comment;                 // without its prefix
  std::array<uint8_t, 64> global_signature{};  // of signature | comment
};

// A signature file larger than this is refused unread: minisign's own
// limits (1 KiB comment, 8 KiB trusted comment) fit well inside.
inline constexpr std::size_t kMaxSignatureFileBytes = 16 * 1024;

// A key id as minisign prints it: 16 upper-case hex digits, the 8 bytes
// read as a little-endian number.
std::string KeyIdText(const KeyId& id);

// The contents of a .pub file (comment line and key line), or the key line
// alone (what `minisign -P` takes). InvalidArgument saying what is wrong.
absl::StatusOr<MinisignPublicKey> ParsePublicKey(std::string_view text);
// The contents of an unencrypted secret key file (`minisign -G -W`, `preload
// keygen`); a password-protected one is refused, saying what to do.
absl::StatusOr<MinisignSecretKey> ParseSecretKey(std::string_view text);
// The contents of a .minisig file.
absl::StatusOr<MinisignSignature> ParseSignature(std::string_view text);

// The key line of a public key: what a host's note records.
std::string PublicKeyLine(const MinisignPublicKey& key);
std::string FormatPublicKey(const MinisignPublicKey& key);
std::string FormatSecretKey(const MinisignSecretKey& key);
std::string FormatSignature(const MinisignSignature& signature);

}  // namespace preload::internal

#endif  // PRELOAD_SIGNING_INTERNAL_MINISIGN_FORMAT_H_
