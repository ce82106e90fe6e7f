// Copyright the PreloadSDK authors.
//
// internal/file_trust.h — may anyone but root and this process's user have
// written this plugin, or put it where it is?
//
// The rule (docs/security.md): the plugin file and every directory on its real
// path must be owned by root or by the effective user, and must not be
// writable by group or others. One exception: a directory writable by others
// that has the sticky bit (/tmp) is accepted, because in a sticky directory
// only an entry's owner (or the directory's owner, or root) may rename or
// delete it, and the entry below it is itself checked to be owned by root or
// the effective user.
#ifndef PRELOAD_INTERNAL_FILE_TRUST_H_
#define PRELOAD_INTERNAL_FILE_TRUST_H_

#include <sys/stat.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace preload::internal {

// Checks the file at `real_path` (symlinks already resolved), which the caller
// has open and whose fstat is `file`, and each directory from "/" down to it.
// The directories are walked without following symlinks, and the entry found
// at the end must be the open file itself (same device and inode).
// Returns a one-line summary for the trace when `describe` is true (empty
// otherwise: naming the owners costs a user-database lookup), or
// PermissionDenied naming the offending file or directory, its owner or
// mode, and what to do.
[[nodiscard]] absl::StatusOr<std::string> CheckFileTrust(
    const std::string& real_path, const struct stat& file, bool describe);

}  // namespace preload::internal

#endif  // PRELOAD_INTERNAL_FILE_TRUST_H_
