// Copyright the PreloadSDK authors.
//
// The SDK's public API speaks std::string_view; Debian's Abseil has its own
// absl::string_view with no conversion from it. This is the one bridge.
#ifndef PRELOAD_BASE_INTERNAL_STRING_VIEW_H_
#define PRELOAD_BASE_INTERNAL_STRING_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace preload::internal {

inline absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

inline std::string_view FromAbsl(absl::string_view text) {
  return std::string_view(text.data(), text.size());
}

}  // namespace preload::internal

#endif  // PRELOAD_BASE_INTERNAL_STRING_VIEW_H_
