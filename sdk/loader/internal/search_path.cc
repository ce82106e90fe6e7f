// Copyright the PreloadSDK authors.
#include "loader/internal/search_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/internal/string_view.h"
#include "elf/internal/library_search.h"

// A host built with target_preload_host defines it (templates/
// fingerprint.cc.j2): its own path as built, then its build tree's plugin
// directories, one a line. Elsewhere it is absent, and null.
extern "C" {
extern const char preload_host_build_tree_v1[]
    __attribute__((weak, visibility("hidden")));
}

namespace preload::internal {
namespace {

// True when `a` and `b` are the same file (device and inode).
bool SameFile(const char* a, const char* b) {
  struct stat sa {}, sb {};
  return ::stat(a, &sa) == 0 && ::stat(b, &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// Why a candidate is not taken, or "" when it is a regular file.
std::string SkipReason(const std::string& candidate) {
  struct stat info {};
  if (::stat(candidate.c_str(), &info) != 0) {
    return errno == ENOENT ? "no such file" : std::strerror(errno);
  }
  if (!S_ISREG(info.st_mode)) return "not a regular file";
  return "";
}

}  // namespace

bool IsBareName(std::string_view spec) {
  return spec.find('/') == std::string_view::npos;
}

std::string PluginFileName(std::string_view name) {
  std::string file(name);
  if (!absl::EndsWith(file, ".so")) file += ".so";
  return file;
}

std::string OriginPluginDirectory(std::string_view lib) {
  char exe[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (length <= 0 || lib.empty()) return "";
  const std::filesystem::path dir =
      std::filesystem::path(std::string(exe, static_cast<size_t>(length)))
          .parent_path();
  return (dir / ".." / std::string(lib) / "preload").lexically_normal().string();
}

std::vector<std::string> BuildTreePluginDirectories() {
  const char* record = preload_host_build_tree_v1;
  if (record == nullptr || *record == '\0') return {};
  std::vector<std::string> lines =
      absl::StrSplit(record, '\n', absl::SkipEmpty());
  // Installed, copied or rebuilt elsewhere: the record is not this file's.
  if (!SameFile(lines.front().c_str(), "/proc/self/exe")) return {};
  lines.erase(lines.begin());
  return lines;
}

std::string MultiarchLibDirectory() {
  const std::string triplet = OwnMultiarchTriplet();
  return triplet.empty() ? "" : "lib/" + triplet;
}

std::vector<SearchDirectory> MakeSearchPath(
    const std::vector<std::string>& explicit_dirs, bool defaults) {
  std::vector<SearchDirectory> dirs;
  auto add = [&dirs](std::string path, std::string origin) {
    if (path.empty()) return;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    const bool listed =
        std::any_of(dirs.begin(), dirs.end(),
                    [&path](const SearchDirectory& d) { return d.path == path; });
    if (!listed) dirs.push_back({std::move(path), std::move(origin)});
  };
  for (const std::string& dir : explicit_dirs) add(dir, "search path");
  if (defaults) {
    // In its build tree, a host takes its own project's plugins first.
    for (std::string& dir : BuildTreePluginDirectories()) {
      add(std::move(dir), "build tree of this host");
    }
    // The host's own prefix is where it runs from: its plugins are
    // installed beside its libraries, in either layout GNUInstallDirs gives.
    add(OriginPluginDirectory("lib"), "$ORIGIN/../lib/preload");
    const std::string multiarch = MultiarchLibDirectory();
    add(OriginPluginDirectory(multiarch),
        absl::StrCat("$ORIGIN/../", multiarch, "/preload"));
  }
  return dirs;
}

absl::StatusOr<std::string> ResolvePlugin(
    std::string_view spec, const std::vector<SearchDirectory>& dirs,
    const Tracer& tracer) {
  if (spec.empty()) {
    return absl::InvalidArgumentError("empty plugin name");
  }
  if (!IsBareName(spec)) {
    tracer.Line(TraceCategory::kSearch, ToAbsl(spec),
                ": a path (it has a '/'): not searched");
    return std::string(spec);
  }
  const std::string file = PluginFileName(spec);
  tracer.Line(TraceCategory::kSearch, ToAbsl(spec),
              ": a bare name: looking for ", file, " in ", dirs.size(),
              " directories");
  std::string tried;
  for (const SearchDirectory& dir : dirs) {
    const std::string candidate = absl::StrCat(dir.path, "/", file);
    const std::string skip = SkipReason(candidate);
    if (skip.empty()) {
      tracer.Line(TraceCategory::kSearch, "  trying ", candidate, " (",
                  dir.origin, "): taken");
      return candidate;
    }
    tracer.Line(TraceCategory::kSearch, "  trying ", candidate, " (",
                dir.origin, "): skipped: ", skip);
    absl::StrAppend(&tried, "\n  ", candidate, " (", dir.origin, "): ", skip);
  }
  return absl::NotFoundError(absl::StrCat(
      "plugin '", ToAbsl(spec), "' not found: no ", file, " in any of ",
      dirs.size(), " directories", tried.empty() ? "" : ":", tried,
      "\nadd its directory to the search path (PRELOAD_PLUGIN_PATH, "
      "LoaderOptions::search_path) or name it by path"));
}

}  // namespace preload::internal
