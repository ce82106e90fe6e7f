// Copyright the PreloadSDK authors.
#include "signing/internal/signature.h"

#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/internal/errno_status.h"
#include "base/internal/string_view.h"

namespace preload::internal {
namespace {

// libsodium must be initialised once before keys are made or signatures
// checked; sodium_init is itself thread-safe and idempotent.
absl::Status InitSodium() {
  static const int result = sodium_init();
  if (result < 0) {
    return absl::InternalError("libsodium could not be initialised");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FileHashes> HashFile(int fd, uint64_t size, std::string_view path,
                                    WantedHashes wanted) {
  if (absl::Status init = InitSodium(); !init.ok()) return init;
  crypto_hash_sha256_state sha256;
  crypto_generichash_state blake2b;
  crypto_hash_sha256_init(&sha256);
  crypto_generichash_init(&blake2b, nullptr, 0, crypto_generichash_BYTES_MAX);
  std::vector<unsigned char> buffer(256 * 1024);
  uint64_t done = 0;
  while (done < size) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<uint64_t>(buffer.size(), size - done));
    const ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      return ErrnoStatus(errno, absl::StrCat(ToAbsl(path), ": cannot read"));
    }
    if (got == 0) {
      return absl::AbortedError(absl::StrCat(
          ToAbsl(path), ": ends after ", done, " of its ", size,
          " bytes: it was truncated while being hashed, so it was not "
          "accepted; install plugins by renaming a complete file into place"));
    }
    const std::size_t length = static_cast<std::size_t>(got);
    if (wanted.sha256) crypto_hash_sha256_update(&sha256, buffer.data(), length);
    if (wanted.blake2b) crypto_generichash_update(&blake2b, buffer.data(), length);
    done += static_cast<uint64_t>(got);
  }
  FileHashes hashes;
  if (wanted.sha256) {
    crypto_hash_sha256_final(&sha256, hashes.sha256.emplace().data());
  }
  if (wanted.blake2b) {
    Blake2b512& digest = hashes.blake2b.emplace();
    crypto_generichash_final(&blake2b, digest.data(), digest.size());
  }
  return hashes;
}

std::string HexDigest(const Sha256& digest) {
  std::string out;
  for (uint8_t byte : digest) absl::StrAppendFormat(&out, "%02x", byte);
  return out;
}

absl::StatusOr<KeyPair> GenerateKeyPair() {
  if (absl::Status init = InitSodium(); !init.ok()) return init;
  KeyPair pair;
  randombytes_buf(pair.public_key.key_id.data(), pair.public_key.key_id.size());
  crypto_sign_keypair(pair.public_key.key.data(), pair.secret_key.key.data());
  pair.secret_key.key_id = pair.public_key.key_id;
  return pair;
}

absl::StatusOr<MinisignSignature> SignHash(const MinisignSecretKey& key,
                                           const Blake2b512& hash,
                                           std::string_view trusted_comment) {
  if (absl::Status init = InitSodium(); !init.ok()) return init;
  if (trusted_comment.find_first_of("\r\n") != std::string_view::npos) {
    return absl::InvalidArgumentError("a trusted comment is one line");
  }
  MinisignSignature signature;
  signature.key_id = key.key_id;
  signature.trusted_comment = std::string(trusted_comment);
  crypto_sign_detached(signature.signature.data(), nullptr, hash.data(),
                       hash.size(), key.key.data());
  std::string global(signature.signature.begin(), signature.signature.end());
  global += signature.trusted_comment;
  crypto_sign_detached(signature.global_signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(global.data()),
                       global.size(), key.key.data());
  return signature;
}

bool SignatureMatches(const MinisignPublicKey& key,
                      const MinisignSignature& signature, const Blake2b512& hash) {
  if (!InitSodium().ok()) return false;
  if (crypto_sign_verify_detached(signature.signature.data(), hash.data(),
                                  hash.size(), key.key.data()) != 0) {
    return false;
  }
  std::string global(signature.signature.begin(), signature.signature.end());
  global += signature.trusted_comment;
  return crypto_sign_verify_detached(
             signature.global_signature.data(),
             reinterpret_cast<const unsigned char*>(global.data()),
             global.size(), key.key.data()) == 0;
}

}  // namespace preload::internal
