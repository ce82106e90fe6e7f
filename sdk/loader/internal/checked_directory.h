// Copyright the PreloadSDK authors.
//
// loader/internal/checked_directory.h — a directory of plugins open for a scan:
// its descriptor, which its entries are opened relative to, and the verdict
// on who may write it and the directories above it, reached once for all of
// its entries (preload::PluginDirectory, Loader::VerifyDirectory).
#ifndef PRELOAD_LOADER_INTERNAL_CHECKED_DIRECTORY_H_
#define PRELOAD_LOADER_INTERNAL_CHECKED_DIRECTORY_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "loader/internal/file_trust.h"
#include "base/internal/unique_fd.h"

namespace preload::internal {

struct CheckedDirectory {
  UniqueFd fd;
  std::string path;    // as given
  std::string prefix;  // `path` ending in one '/': an entry's path is prefix + name
  // Set when the trust check is on and the directory passed it; when the
  // check is on and this is unset, each entry is checked the whole way.
  std::optional<TrustedDirectory> trusted;
  std::string verdict;  // one line for the trace: trusted, or why not
};

// Opens `path` as a directory (O_DIRECTORY, following a symlink, as a path
// to one of its files would) and, if `check_trust`, checks it and every
// directory above it. Only the open can fail: NotFound, PermissionDenied, or
// InvalidArgument (not a directory), naming `path`. A refused directory is
// returned unchecked, with the refusal as its verdict.
[[nodiscard]] absl::StatusOr<CheckedDirectory> OpenCheckedDirectory(
    std::string_view path, bool check_trust, bool describe);

// The path an entry of `directory` is named by, as a path given to
// Loader::Verify: `directory.prefix` + name.
std::string EntryPath(const CheckedDirectory& directory, std::string_view name);

// A name that openat(2) on the directory's descriptor finds in that very
// directory: not empty, no '/', not "." or "..". Anything else leaves the
// checked directory and is verified by its path instead.
bool IsEntryName(std::string_view name);

// Does `name` end in ".so" with something before it: what a scan verifies.
bool IsPluginFileName(std::string_view name);

// Calls visit(name) for every entry of the directory open on `fd` that
// IsPluginFileName, in the order readdir(3) gives them (unsorted). Streams:
// one readdir buffer is all that is held, whatever the number of entries.
// The entries are those of the directory that is open, whatever its path
// names by now. Errors name `path`.
[[nodiscard]] absl::Status ForEachPluginFile(
    int fd, std::string_view path, absl::FunctionRef<void(std::string_view)> visit);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_CHECKED_DIRECTORY_H_
