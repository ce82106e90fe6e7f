// Copyright the PreloadSDK authors.
//
// loader/internal/search_path.h — turning what a user wrote ("manhole",
// "./build/manhole.so") into the file the loader opens.
//
// A name with a '/' is a path, relative to the working directory. A bare name
// is looked for as "<name>.so" (".so" added unless present) in each search
// directory in turn; the first regular file found is taken. The loader's
// directories are LoaderOptions::search_path, then the host's own plugin
// directories, $ORIGIN/../lib/preload then $ORIGIN/../lib/<triplet>/preload:
// the host's own install prefix, wherever it was installed.
#ifndef PRELOAD_LOADER_INTERNAL_SEARCH_PATH_H_
#define PRELOAD_LOADER_INTERNAL_SEARCH_PATH_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "loader/internal/trace.h"

namespace preload::internal {

struct SearchDirectory {
  std::string path;
  // Where the directory came from, for traces and errors: "search path",
  // "$ORIGIN/../lib/preload", "$ORIGIN/../lib/x86_64-linux-gnu/preload".
  std::string origin;
};

// True when `spec` names a plugin by name rather than by path (no '/').
bool IsBareName(std::string_view spec);

// "manhole" -> "manhole.so"; "manhole.so" stays.
std::string PluginFileName(std::string_view name);

// <directory of the running executable>/../<lib>/preload, normalised; empty
// if /proc/self/exe cannot be read or `lib` is empty.
std::string OriginPluginDirectory(std::string_view lib);

// The plugin directories of the build tree the running executable was
// built in, when it is a host built with target_preload_host and still runs
// as the very file built there (same device and inode); none otherwise, so
// an installed host never searches a build tree.
std::vector<std::string> BuildTreePluginDirectories();

// "lib/x86_64-linux-gnu": GNUInstallDirs' CMAKE_INSTALL_LIBDIR under /usr on
// Debian for this machine; "" for a machine without a known triplet.
std::string MultiarchLibDirectory();

// `explicit_dirs` (empty entries dropped), then, if `defaults`, the build
// tree's plugin directories and the two directories above; a directory listed twice is searched once.
std::vector<SearchDirectory> MakeSearchPath(
    const std::vector<std::string>& explicit_dirs, bool defaults);

// The file `spec` names. A path is returned unchanged. A bare name is
// searched in `dirs`, each candidate traced under "search"; NotFound lists
// every directory tried and why each candidate was skipped.
[[nodiscard]] absl::StatusOr<std::string> ResolvePlugin(
    std::string_view spec, const std::vector<SearchDirectory>& dirs,
    const Tracer& tracer);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_SEARCH_PATH_H_
