// Copyright the PreloadSDK authors.
//
// loader/internal/file_trust.h — may anyone but root and this process's user have
// written this plugin, or put it where it is?
//
// The rule (docs/security.md): the plugin file and every directory on its real
// path must be owned by root or by the effective user (in secure execution,
// AT_SECURE or real and effective ids that differ: by root, or by the
// effective user only where it is not the real user), and must not be
// writable by group or others. One exception: a directory writable by others
// that has the sticky bit (/tmp) is accepted, because in a sticky directory
// only an entry's owner (or the directory's owner, or root) may rename or
// delete it, and the entry below it is itself checked to be owned by root or
// the effective user.
#ifndef PRELOAD_LOADER_INTERNAL_FILE_TRUST_H_
#define PRELOAD_LOADER_INTERNAL_FILE_TRUST_H_

#include <sys/stat.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace preload::internal {

struct TrustedFile {
  std::string real_path;    // the file's path with every symlink resolved
  std::string description;  // one line for the trace, if asked for
};

// Checks the file the caller has open on `fd` (named `path`, absolute or
// relative; `file` is its fstat) and each directory from "/" down to it. The
// walk follows the file's real path component by component with lstat, and
// the entry found at the end must be the open file itself (same device and
// inode). A plain absolute `path` is walked as given, which also shows it to
// be the real path; otherwise, or if it has a symlink on it, the real path is
// asked of the kernel (/proc/self/fd) and walked.
// The description is empty unless `describe` (naming the owners costs a
// user-database lookup). Errors: PermissionDenied naming the offending file
// or directory, its owner or mode, and what to do.
[[nodiscard]] absl::StatusOr<TrustedFile> CheckFileTrust(
    const std::string& path, int fd, const struct stat& file, bool describe);

// A directory checked once, by the rule for the directories above a plugin,
// together with every directory above it: its entries are then left with
// their own check only (CheckEntryTrust). For a directory scan, whose files
// share every directory of their walk.
// Whose files are trusted besides root's. In secure execution (the kernel's
// AT_SECURE: set-user-ID, set-group-ID, file capabilities; or real and
// effective ids that differ) the user who started the program is not the one
// the privilege was given to, and must not choose its code: their files are
// not trusted, the effective user's only where it is another user (a program
// set-user-ID to a service account trusts that account's files).
struct TrustedOwners {
  bool secure = false;
  std::optional<uid_t> user;  // besides root
};

struct TrustedDirectory {
  std::string real_path;    // symlinks resolved; no trailing '/' but for "/"
  size_t directories = 0;   // checked, the directory itself included
  std::string sticky;       // sticky directories accepted, for the description
  // Whose files were trusted when the directory was checked: its entries
  // are judged by the same, without asking the kernel for the process's
  // ids again (five system calls per file).
  TrustedOwners owners;
};

// Checks the directory the caller has open on `fd` (named `path`;
// `directory` is its fstat) and each directory from "/" down to it, as
// CheckFileTrust checks the directories above a file, ending at the very
// directory that is open (same device and inode). Errors: PermissionDenied
// naming the directory.
[[nodiscard]] absl::StatusOr<TrustedDirectory> CheckDirectoryTrust(
    const std::string& path, int fd, const struct stat& directory);

// CheckFileTrust's verdict on the entry `name` of a checked directory, for a
// file the caller opened relative to the directory's descriptor without
// following a symlink (`file` is its fstat): what is left is the file's own
// owner and mode. `name` must be a plain entry name (no '/', not "." or "..").
// The same errors, naming the same real path, as CheckFileTrust.
[[nodiscard]] absl::StatusOr<TrustedFile> CheckEntryTrust(
    const TrustedDirectory& directory, std::string_view name,
    const struct stat& file, bool describe);

// The real path of the file open on `fd`, as the kernel names it; `path`'s
// realpath(3) if the kernel cannot say (no /proc, or the file was deleted).
std::string RealPathOfDescriptor(int fd, std::string_view path);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_FILE_TRUST_H_
