// Copyright the PreloadSDK authors.
#include "signing/internal/minisign_format.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/internal/string_view.h"

namespace preload::internal {
namespace {

constexpr std::string_view kCommentPrefix = "untrusted comment: ";
constexpr std::string_view kTrustedPrefix = "trusted comment: ";
constexpr std::size_t kPublicKeyBytes = 2 + 8 + 32;
constexpr std::size_t kSignatureBytes = 2 + 8 + 64;
constexpr std::size_t kSecretKeyBytes = 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32;
// Where the key id starts in a secret key: after the algorithms, the salt
// and the two limits of the password's key derivation.
constexpr std::size_t kSecretKeyIdAt = 2 + 2 + 2 + 32 + 8 + 8;

absl::Status Invalid(std::string_view what, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("not a minisign ", ToAbsl(what), ": ", ToAbsl(why)));
}

// The lines of `text`, a trailing "\r" of each dropped, a last empty line
// (the file's final newline) not counted.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// Strict base64 of exactly `size` bytes (libsodium's decoder: no spaces, no
// missing padding, nothing after it).
bool DecodeExactly(std::string_view line, uint8_t* out, std::size_t size) {
  std::vector<uint8_t> buffer(size + 3);
  std::size_t decoded = 0;
  const char* end = nullptr;
  if (sodium_base642bin(buffer.data(), buffer.size(), line.data(), line.size(),
                        nullptr, &decoded, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != line.data() + line.size() || decoded != size) {
    return false;
  }
  std::memcpy(out, buffer.data(), size);
  return true;
}

std::string Encode(const uint8_t* bytes, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size,
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The base64 line of a key file: the second line after an untrusted
// comment, or the one line given alone.
absl::StatusOr<std::string_view> KeyLine(std::string_view text,
                                         std::string_view what) {
  const std::vector<std::string_view> lines = Lines(text);
  if (lines.size() == 1 && !StartsWith(lines[0], kCommentPrefix)) return lines[0];
  if (lines.size() != 2 || !StartsWith(lines[0], kCommentPrefix)) {
    return Invalid(what, "expected two lines, an 'untrusted comment: ' and "
                         "the key in base64");
  }
  return lines[1];
}

}  // namespace

std::string KeyIdText(const KeyId& id) {
  std::string out;
  for (auto byte = id.rbegin(); byte != id.rend(); ++byte) {
    absl::StrAppendFormat(&out, "%02X", *byte);
  }
  return out;
}

absl::StatusOr<MinisignPublicKey> ParsePublicKey(std::string_view text) {
  absl::StatusOr<std::string_view> line = KeyLine(text, "public key");
  if (!line.ok()) return line.status();
  uint8_t bytes[kPublicKeyBytes];
  if (!DecodeExactly(*line, bytes, sizeof bytes)) {
    return Invalid("public key", "the key line is not the base64 of 42 bytes");
  }
  if (bytes[0] != 'E' || bytes[1] != 'd') {
    return Invalid("public key", "its algorithm is not Ed25519 ('Ed')");
  }
  MinisignPublicKey key;
  std::memcpy(key.key_id.data(), bytes + 2, 8);
  std::memcpy(key.key.data(), bytes + 10, 32);
  return key;
}

absl::StatusOr<MinisignSecretKey> ParseSecretKey(std::string_view text) {
  absl::StatusOr<std::string_view> line = KeyLine(text, "secret key");
  if (!line.ok()) return line.status();
  uint8_t bytes[kSecretKeyBytes];
  if (!DecodeExactly(*line, bytes, sizeof bytes)) {
    return Invalid("secret key", "the key line is not the base64 of 158 bytes");
  }
  if (bytes[0] != 'E' || bytes[1] != 'd' || bytes[4] != 'B' || bytes[5] != '2') {
    return Invalid("secret key", "its algorithms are not Ed25519 and BLAKE2b");
  }
  if (bytes[2] != 0 || bytes[3] != 0) {
    return absl::InvalidArgumentError(
        "the secret key is protected by a password (minisign -G without -W), "
        "which preload sign cannot ask for: sign with minisign -S -s KEY -m "
        "PLUGIN.so, which writes the same PLUGIN.so.minisig, or make a key "
        "for unattended signing with preload keygen (or minisign -G -W)");
  }
  MinisignSecretKey key;
  std::memcpy(key.key_id.data(), bytes + kSecretKeyIdAt, 8);
  std::memcpy(key.key.data(), bytes + kSecretKeyIdAt + 8, 64);
  // minisign leaves an unencrypted key's checksum zero and never reads it;
  // one that is set must match.
  const uint8_t* checksum = bytes + kSecretKeyIdAt + 8 + 64;
  if (std::any_of(checksum, checksum + 32, [](uint8_t b) { return b != 0; })) {
    uint8_t expected[32];
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, sizeof expected);
    crypto_generichash_update(&state, bytes, 2);
    crypto_generichash_update(&state, key.key_id.data(), 8);
    crypto_generichash_update(&state, key.key.data(), 64);
    crypto_generichash_final(&state, expected, sizeof expected);
    if (sodium_memcmp(expected, checksum, sizeof expected) != 0) {
      return Invalid("secret key", "its checksum does not match: the file is damaged");
    }
  }
  return key;
}

absl::StatusOr<MinisignSignature> ParseSignature(std::string_view text) {
  if (text.size() > kMaxSignatureFileBytes) {
    return Invalid("signature", absl::StrCat("larger than ", kMaxSignatureFileBytes,
                                             " bytes"));
  }
  const std::vector<std::string_view> lines = Lines(text);
  if (lines.size() != 4 || !StartsWith(lines[0], kCommentPrefix) ||
      !StartsWith(lines[2], kTrustedPrefix)) {
    return Invalid("signature",
                   "expected four lines: 'untrusted comment: ', the signature, "
                   "'trusted comment: ' and the comment's signature");
  }
  uint8_t bytes[kSignatureBytes];
  if (!DecodeExactly(lines[1], bytes, sizeof bytes)) {
    return Invalid("signature", "the signature line is not the base64 of 74 bytes");
  }
  if (bytes[0] == 'E' && bytes[1] == 'd') {
    return Invalid("signature",
                   "a legacy signature of the whole file ('Ed'); sign again "
                   "with preload sign or minisign -S (without -l), which sign "
                   "the file's BLAKE2b hash ('ED')");
  }
  if (bytes[0] != 'E' || bytes[1] != 'D') {
    return Invalid("signature", "its algorithm is not Ed25519 over BLAKE2b ('ED')");
  }
  MinisignSignature signature;
  std::memcpy(signature.key_id.data(), bytes + 2, 8);
  std::memcpy(signature.signature.data(), bytes + 10, 64);
  signature.trusted_comment = std::string(lines[2].substr(kTrustedPrefix.size()));
  if (!DecodeExactly(lines[3], signature.global_signature.data(), 64)) {
    return Invalid("signature",
                   "the trusted comment's signature is not the base64 of 64 bytes");
  }
  return signature;
}

std::string PublicKeyLine(const MinisignPublicKey& key) {
  uint8_t bytes[kPublicKeyBytes] = {'E', 'd'};
  std::memcpy(bytes + 2, key.key_id.data(), 8);
  std::memcpy(bytes + 10, key.key.data(), 32);
  return Encode(bytes, sizeof bytes);
}

std::string FormatPublicKey(const MinisignPublicKey& key) {
  return absl::StrCat(ToAbsl(kCommentPrefix), "minisign public key ",
                      KeyIdText(key.key_id), "\n", PublicKeyLine(key), "\n");
}

std::string FormatSecretKey(const MinisignSecretKey& key) {
  uint8_t bytes[kSecretKeyBytes] = {'E', 'd', 0, 0, 'B', '2'};
  std::memcpy(bytes + kSecretKeyIdAt, key.key_id.data(), 8);
  std::memcpy(bytes + kSecretKeyIdAt + 8, key.key.data(), 64);
  std::string out = absl::StrCat(ToAbsl(kCommentPrefix), "minisign secret key ",
                                 KeyIdText(key.key_id), " (unencrypted)\n",
                                 Encode(bytes, sizeof bytes), "\n");
  sodium_memzero(bytes, sizeof bytes);
  return out;
}

std::string FormatSignature(const MinisignSignature& signature) {
  uint8_t bytes[kSignatureBytes] = {'E', 'D'};
  std::memcpy(bytes + 2, signature.key_id.data(), 8);
  std::memcpy(bytes + 10, signature.signature.data(), 64);
  return absl::StrCat(ToAbsl(kCommentPrefix), "signature from preload secret key ",
                      KeyIdText(signature.key_id), "\n",
                      Encode(bytes, sizeof bytes), "\n", ToAbsl(kTrustedPrefix),
                      signature.trusted_comment, "\n",
                      Encode(signature.global_signature.data(), 64), "\n");
}

}  // namespace preload::internal
