// Copyright the PreloadSDK authors.
//
// fingerprint/internal/storage.h — what a Fingerprint holds: shared by
// fingerprint.cc and known_lines.cc, which both make fingerprints.
#ifndef PRELOAD_FINGERPRINT_INTERNAL_STORAGE_H_
#define PRELOAD_FINGERPRINT_INTERNAL_STORAGE_H_

#include <array>
#include <mutex>
#include <string>
#include <vector>

#include "preload/fingerprint.h"

namespace preload {

// The payload text, exactly as Serialize() returns it, and views of its
// fields. The owned copies of fields() are made only for callers that ask.
struct Fingerprint::Storage {
  std::string text;
  std::vector<FingerprintFieldView> views;
  mutable std::once_flag owned_once;
  mutable std::vector<FingerprintField> owned;
};

namespace internal {

// [a-z0-9._-] as a table: every byte of every key of every plugin load is
// looked up.
inline constexpr std::array<bool, 256> kKeyChars = [] {
  std::array<bool, 256> table{};
  for (unsigned char c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (unsigned char c = '0'; c <= '9'; ++c) table[c] = true;
  for (unsigned char c : {'.', '_', '-'}) table[c] = true;
  return table;
}();

inline bool IsKeyChar(char c) { return kKeyChars[static_cast<unsigned char>(c)]; }

}  // namespace internal
}  // namespace preload

#endif  // PRELOAD_FINGERPRINT_INTERNAL_STORAGE_H_
