// Copyright the PreloadSDK authors.
//
// loader/internal/origin_dependencies.h — a plugin's dependencies found
// through $ORIGIN, mapped from the plugin's own directory.
//
// The loader maps a verified plugin through /proc/self/fd/N, so to the
// dynamic loader the plugin's $ORIGIN is /proc/self/fd, not the plugin's
// directory, and a dependency found through a RUNPATH or RPATH of
// "$ORIGIN/..." would not be found. Before the plugin is mapped, this loads
// each such dependency by its real path, where ld.so would have found it
// (elf/internal/library_search.h); ld.so then matches the plugin's
// DT_NEEDED to it by its soname.
#ifndef PRELOAD_LOADER_INTERNAL_ORIGIN_DEPENDENCIES_H_
#define PRELOAD_LOADER_INTERNAL_ORIGIN_DEPENDENCIES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace preload::internal {

// `fd` is the verified plugin, `size` its size, `real_path` its path with
// symlinks resolved, `file` the name for messages, `ld_library_path` the
// directories the dynamic linker searches before a DT_RUNPATH
// (LoaderOptions::library_path). OkStatus when the plugin uses no $ORIGIN or
// every dependency found through it loaded; FailedPrecondition naming the
// dependency otherwise. Dependencies loaded stay loaded, like plugins.
[[nodiscard]] absl::Status LoadOriginDependencies(
    int fd, uint64_t size, std::string_view real_path, std::string_view file,
    const std::vector<std::string>& ld_library_path);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_ORIGIN_DEPENDENCIES_H_
