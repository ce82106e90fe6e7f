// Copyright the PreloadSDK authors.
//
// loader/internal/sealed_copy.h — a private, unchangeable copy of a plugin file.
//
// LoaderOptions::sealed_copy: the loader copies the plugin into an anonymous
// memory file (memfd) and seals it against writing, growing and shrinking
// before it reads the fingerprint, then verifies and maps that copy. Nothing
// done to the file system afterwards (a rename over the path, a rewrite in
// place, a truncation) can change what is verified or what runs.
#ifndef PRELOAD_LOADER_INTERNAL_SEALED_COPY_H_
#define PRELOAD_LOADER_INTERNAL_SEALED_COPY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "base/internal/unique_fd.h"

namespace preload::internal {

// Larger plugins are refused in sealed-copy mode rather than copied into
// memory; no plugin's code is anywhere near this.
inline constexpr uint64_t kMaxSealedCopyBytes = uint64_t{1} << 30;

struct SealedCopy {
  UniqueFd fd;          // the memfd, sealed; read-only for everyone
  uint64_t size = 0;    // bytes copied: the whole file as it was read
};

// Copies the regular file open on `source`, from its start to its end as
// read now, into a new memfd named after `path` (the plugin's real path, for
// messages and /proc/self/maps), and applies F_SEAL_WRITE, F_SEAL_GROW,
// F_SEAL_SHRINK and F_SEAL_SEAL. Errors name `path`: the kernel refused a
// memfd or its seals, a read failed, or the file is over
// kMaxSealedCopyBytes.
[[nodiscard]] absl::StatusOr<SealedCopy> MakeSealedCopy(int source,
                                                        const std::string& path);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_SEALED_COPY_H_
