// Copyright the PreloadSDK authors.
#include "loader/internal/origin_dependencies.h"

#include <dlfcn.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "elf/internal/library_search.h"
#include "preload/elf_dynamic.h"

namespace preload::internal {
namespace {

bool NamesOrigin(std::string_view path_list) {
  return absl::StrContains(ToAbsl(path_list), "$ORIGIN") ||
         absl::StrContains(ToAbsl(path_list), "${ORIGIN}");
}

bool AlreadyLoaded(const std::string& soname) {
  void* handle = ::dlopen(soname.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  ::dlclose(handle);  // drop the reference RTLD_NOLOAD took
  return true;
}

}  // namespace

absl::Status LoadOriginDependencies(int fd, uint64_t size,
                                    std::string_view real_path,
                                    std::string_view file,
                                    const std::vector<std::string>& ld_library_path) {
  absl::StatusOr<ElfDynamic> dynamic = ReadElfDynamic(fd, size, file);
  if (!dynamic.ok()) return dynamic.status();
  const std::optional<std::string>& own =
      dynamic->runpath ? dynamic->runpath : dynamic->rpath;
  if (!own || !NamesOrigin(*own)) return absl::OkStatus();
  // What ld.so finds on its own (LD_LIBRARY_PATH, a list entry without
  // $ORIGIN, the system's directories) is left to it.
  LibrarySearchSettings settings;
  settings.ld_library_path = ld_library_path;
  settings.system_directories = false;
  LibrarySearch search(std::move(settings));
  const std::string path(real_path);
  const SearchingObject plugin{path, DirectoryOf(path), *std::move(dynamic)};
  for (const std::string& needed : plugin.dynamic.needed) {
    if (needed.find('/') != std::string::npos || AlreadyLoaded(needed)) {
      continue;
    }
    const FoundLibrary found = search.Find(needed, plugin);
    if (!found.found || !found.through_origin) continue;
    if (::dlopen(found.path.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr) {
      const char* error = ::dlerror();
      return absl::FailedPreconditionError(absl::StrCat(
          ToAbsl(file), ": its dependency ", found.path,
          " (found through $ORIGIN) could not be loaded: ",
          error ? error : "unknown error"));
    }
  }
  return absl::OkStatus();
}

}  // namespace preload::internal
