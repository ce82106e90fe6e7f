// Copyright the PreloadSDK authors.
//
// Fuzz target for the minisign parsers (signing/internal/minisign_format.h),
// which read a plugin's PLUGIN.so.minisig and key files: untrusted bytes
// before any signature is checked. The input is tried as a signature file,
// a public key and a secret key. What parses must write back as a file that
// parses to the same values, and a parsed signature must check against a
// parsed key without crashing (and, for made-up bytes, never hold).
// Seeds: real signature and key files (tests/fuzz/corpus/signature).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "signing/internal/minisign_format.h"
#include "signing/internal/signature.h"

namespace {

using namespace preload::internal;  // NOLINT: the fuzzer's whole subject

void FuzzSignature(std::string_view text) {
  absl::StatusOr<MinisignSignature> parsed = ParseSignature(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  FUZZ_CHECK(text.size() <= kMaxSignatureFileBytes);
  absl::StatusOr<MinisignSignature> again = ParseSignature(FormatSignature(*parsed));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->key_id == parsed->key_id);
  FUZZ_CHECK(again->signature == parsed->signature);
  FUZZ_CHECK(again->trusted_comment == parsed->trusted_comment);
  FUZZ_CHECK(again->global_signature == parsed->global_signature);
  FUZZ_CHECK(KeyIdText(parsed->key_id).size() == 16);
  // Checked against a key made of the same bytes: must not crash; a
  // signature made up by the fuzzer of a zero hash cannot hold.
  MinisignPublicKey key;
  key.key_id = parsed->key_id;
  for (std::size_t i = 0; i < key.key.size(); ++i) key.key[i] = parsed->signature[i];
  (void)SignatureMatches(key, *parsed, Blake2b512{});
}

void FuzzPublicKey(std::string_view text) {
  absl::StatusOr<MinisignPublicKey> parsed = ParsePublicKey(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  for (const std::string& written :
       {FormatPublicKey(*parsed), PublicKeyLine(*parsed)}) {
    absl::StatusOr<MinisignPublicKey> again = ParsePublicKey(written);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->key_id == parsed->key_id && again->key == parsed->key);
  }
}

void FuzzSecretKey(std::string_view text) {
  absl::StatusOr<MinisignSecretKey> parsed = ParseSecretKey(text);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  absl::StatusOr<MinisignSecretKey> again = ParseSecretKey(FormatSecretKey(*parsed));
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->key_id == parsed->key_id && again->key == parsed->key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FuzzSignature(text);
  FuzzPublicKey(text);
  FuzzSecretKey(text);
  return 0;
}
