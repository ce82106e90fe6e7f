// Copyright the PreloadSDK authors.
#include "loader/internal/origin_dependencies.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "base/internal/string_view.h"
#include "preload/elf_dynamic.h"

namespace preload::internal {
namespace {

struct SearchDir {
  std::string path;
  bool from_origin = false;
};

bool NamesOrigin(std::string_view path_list) {
  return absl::StrContains(ToAbsl(path_list), "$ORIGIN") ||
         absl::StrContains(ToAbsl(path_list), "${ORIGIN}");
}

std::vector<SearchDir> SplitDirs(std::string_view path_list,
                                 std::string_view origin) {
  std::vector<SearchDir> dirs;
  for (absl::string_view dir :
       absl::StrSplit(ToAbsl(path_list), ':', absl::SkipEmpty())) {
    const bool from_origin = NamesOrigin(FromAbsl(dir));
    dirs.push_back({absl::StrReplaceAll(dir, {{"${ORIGIN}", ToAbsl(origin)},
                                              {"$ORIGIN", ToAbsl(origin)}}),
                    from_origin});
  }
  return dirs;
}

// ld.so's order for the directories that matter here: DT_RPATH before
// LD_LIBRARY_PATH, LD_LIBRARY_PATH before DT_RUNPATH.
std::vector<SearchDir> SearchOrder(const ElfDynamic& dynamic,
                                   std::string_view origin) {
  const char* env = std::getenv("LD_LIBRARY_PATH");
  std::vector<SearchDir> library_path = SplitDirs(env ? env : "", "");
  for (SearchDir& dir : library_path) dir.from_origin = false;
  std::vector<SearchDir> own =
      SplitDirs(dynamic.runpath ? *dynamic.runpath : *dynamic.rpath, origin);
  std::vector<SearchDir>& first = dynamic.runpath ? library_path : own;
  std::vector<SearchDir>& second = dynamic.runpath ? own : library_path;
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

bool AlreadyLoaded(const std::string& soname) {
  void* handle = ::dlopen(soname.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  ::dlclose(handle);  // drop the reference RTLD_NOLOAD took
  return true;
}

absl::Status LoadIfFoundThroughOrigin(const std::string& needed,
                                      const std::vector<SearchDir>& order,
                                      std::string_view file) {
  for (const SearchDir& dir : order) {
    const std::string candidate = absl::StrCat(dir.path, "/", needed);
    if (::access(candidate.c_str(), F_OK) != 0) continue;
    if (!dir.from_origin) return absl::OkStatus();  // ld.so finds it itself
    if (::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr) {
      const char* error = ::dlerror();
      return absl::FailedPreconditionError(absl::StrCat(
          ToAbsl(file), ": its dependency ", candidate,
          " (found through $ORIGIN) could not be loaded: ",
          error ? error : "unknown error"));
    }
    return absl::OkStatus();
  }
  return absl::OkStatus();  // not found: ld.so will say so
}

}  // namespace

absl::Status LoadOriginDependencies(int fd, uint64_t size,
                                    std::string_view real_path,
                                    std::string_view file) {
  absl::StatusOr<ElfDynamic> dynamic = ReadElfDynamic(fd, size, file);
  if (!dynamic.ok()) return dynamic.status();
  const std::optional<std::string>& own =
      dynamic->runpath ? dynamic->runpath : dynamic->rpath;
  if (!own || !NamesOrigin(*own)) return absl::OkStatus();
  const std::string_view origin =
      real_path.substr(0, real_path.find_last_of('/'));
  const std::vector<SearchDir> order = SearchOrder(*dynamic, origin);
  for (const std::string& needed : dynamic->needed) {
    if (needed.find('/') != std::string::npos || AlreadyLoaded(needed)) {
      continue;
    }
    if (absl::Status status = LoadIfFoundThroughOrigin(needed, order, file);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace preload::internal
