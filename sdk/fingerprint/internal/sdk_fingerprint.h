// Copyright the PreloadSDK authors.
//
// fingerprint/internal/sdk_fingerprint.h — the raw fingerprint payload of the SDK library.
//
// The definition is not written by hand: the build renders
// templates/fingerprint.cc.j2 with kind "sdk" and compiles it with the SDK's
// own flags, so the payload describes how this very library was built.
// Unit tests that link the SDK sources without the generated file provide a
// fake definition instead.
#ifndef PRELOAD_FINGERPRINT_INTERNAL_SDK_FINGERPRINT_H_
#define PRELOAD_FINGERPRINT_INTERNAL_SDK_FINGERPRINT_H_

#include <string_view>

namespace preload::internal {

// The SDK's note payload (magic line and fields), without a note header.
// Valid for the lifetime of the program.
std::string_view SdkFingerprintPayload();

}  // namespace preload::internal

#endif  // PRELOAD_FINGERPRINT_INTERNAL_SDK_FINGERPRINT_H_
