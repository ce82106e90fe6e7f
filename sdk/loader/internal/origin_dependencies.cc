// Copyright the PreloadSDK authors.
#include "loader/internal/origin_dependencies.h"

#include <dlfcn.h>

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "elf/internal/library_search.h"
#include "loader/internal/file_trust.h"
#include "loader/internal/plugin_file.h"
#include "loader/internal/sealed_copy.h"
#include "preload/elf_dynamic.h"

namespace preload::internal {
namespace {

// A chain of $ORIGIN dependencies deeper than this is refused rather than
// followed: no real plugin comes near it, and it bounds the recursion.
constexpr int kMaxDepth = 16;

bool NamesOrigin(const std::optional<std::string>& path_list) {
  return path_list && (absl::StrContains(*path_list, "$ORIGIN") ||
                       absl::StrContains(*path_list, "${ORIGIN}"));
}

// Whether any list ld.so would search for `object`'s libraries names
// $ORIGIN: its own RUNPATH, or else its RPATH and those of the objects
// that needed it.
bool SearchesOrigin(const SearchingObject& object) {
  if (object.dynamic.runpath) return NamesOrigin(object.dynamic.runpath);
  for (const SearchingObject* o = &object; o != nullptr; o = o->parent) {
    if (!o->dynamic.runpath && NamesOrigin(o->dynamic.rpath)) return true;
  }
  return false;
}

bool AlreadyLoaded(const std::string& name) {
  void* handle = ::dlopen(name.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  ::dlclose(handle);  // drop the reference RTLD_NOLOAD took
  return true;
}

std::string FdPath(int fd) { return absl::StrCat("/proc/self/fd/", fd); }

// One dependency opened and checked, not yet mapped.
struct OpenDependency {
  UniqueFd fd;
  std::string real_path;
  struct stat opened {};
  uint64_t size = 0;
  bool sealed = false;
};

// Maps the $ORIGIN dependencies of one plugin, depth first: a library's own
// before it, as ld.so would.
class DependencyMapper {
 public:
  DependencyMapper(const DependencyRules& rules, std::string plugin)
      : rules_(rules), plugin_(std::move(plugin)), search_(Settings(rules)) {}

  absl::Status MapFor(const SearchingObject& object);
  MappedDependencies& mapped() { return mapped_; }

 private:
  static LibrarySearchSettings Settings(const DependencyRules& rules) {
    LibrarySearchSettings settings;
    if (rules.ld_library_path) settings.ld_library_path = *rules.ld_library_path;
    // What ld.so finds on its own (LD_LIBRARY_PATH, a list entry without
    // $ORIGIN, the system's directories) is left to it.
    settings.system_directories = false;
    return settings;
  }
  absl::Status MapOne(const FoundLibrary& found, const SearchingObject& requester);
  absl::StatusOr<OpenDependency> OpenAndTrust(const std::string& path) const;
  absl::Status Seal(OpenDependency& dependency) const;
  absl::Status Map(OpenDependency dependency);
  absl::Status NotMapped(const FoundLibrary& found, const absl::Status& why) const;

  const DependencyRules& rules_;
  const std::string plugin_;
  LibrarySearch search_;
  std::set<std::string> seen_;  // real paths mapped or being mapped
  MappedDependencies mapped_;
};

absl::Status DependencyMapper::MapFor(const SearchingObject& object) {
  if (!SearchesOrigin(object)) return absl::OkStatus();
  for (const std::string& needed : object.dynamic.needed) {
    if (needed.find('/') != std::string::npos || AlreadyLoaded(needed)) continue;
    const FoundLibrary found = search_.Find(needed, object);
    if (!found.found || !found.through_origin) continue;
    if (object.depth >= kMaxDepth) {
      return NotMapped(found, absl::FailedPreconditionError(absl::StrCat(
          "more than ", kMaxDepth, " levels of $ORIGIN dependencies")));
    }
    if (absl::Status status = MapOne(found, object); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status DependencyMapper::MapOne(const FoundLibrary& found,
                                      const SearchingObject& requester) {
  absl::StatusOr<OpenDependency> dependency = OpenAndTrust(found.path);
  if (!dependency.ok()) return NotMapped(found, dependency.status());
  if (!seen_.insert(dependency->real_path).second) return absl::OkStatus();
  if (absl::Status sealed = Seal(*dependency); !sealed.ok()) {
    return NotMapped(found, sealed);
  }
  absl::StatusOr<ElfDynamic> dynamic = ReadElfDynamic(
      dependency->fd.get(), dependency->size, dependency->real_path);
  if (!dynamic.ok()) return NotMapped(found, dynamic.status());
  // ld.so expands the library's own $ORIGIN to the directory it found it in.
  const SearchingObject object{found.path, DirectoryOf(found.path),
                               *std::move(dynamic), &requester,
                               requester.depth + 1};
  if (absl::Status own = MapFor(object); !own.ok()) return own;
  if (absl::Status status = Map(*std::move(dependency)); !status.ok()) {
    return NotMapped(found, status);
  }
  return absl::OkStatus();
}

// The plugin's own rules (verify.cc): one descriptor, checked for who may
// have written it and every directory above it.
absl::StatusOr<OpenDependency> DependencyMapper::OpenAndTrust(
    const std::string& path) const {
  OpenDependency dependency;
  absl::StatusOr<UniqueFd> fd = OpenRegularFile(path, dependency.opened);
  if (!fd.ok()) return fd.status();
  dependency.fd = *std::move(fd);
  dependency.size = static_cast<uint64_t>(dependency.opened.st_size);
  if (!rules_.check_file_trust) {
    dependency.real_path = RealPathOfDescriptor(dependency.fd.get(), path);
    rules_.trace->Line(TraceCategory::kLoad, plugin_, ": dependency ",
                       dependency.real_path,
                       ": file trust: not checked (turned off for this loader)");
    return dependency;
  }
  absl::StatusOr<TrustedFile> trusted =
      CheckFileTrust(path, dependency.fd.get(), dependency.opened,
                     rules_.trace->enabled(TraceCategory::kLoad));
  if (!trusted.ok()) return trusted.status();
  dependency.real_path = std::move(trusted->real_path);
  rules_.trace->Line(TraceCategory::kLoad, plugin_, ": dependency ",
                     dependency.real_path, ": file trust: ", trusted->description);
  return dependency;
}

absl::Status DependencyMapper::Seal(OpenDependency& dependency) const {
  if (!rules_.sealed_copy) return absl::OkStatus();
  absl::StatusOr<SealedCopy> copy =
      MakeSealedCopy(dependency.fd.get(), dependency.real_path);
  if (!copy.ok()) return copy.status();
  if (absl::Status unchanged = CheckStillAs(
          dependency.fd.get(), dependency.opened, dependency.real_path,
          "changed while it was being copied", "so the copy was dropped");
      !unchanged.ok()) {
    return unchanged;
  }
  dependency.fd = std::move(copy->fd);
  dependency.size = copy->size;
  dependency.sealed = true;
  return absl::OkStatus();
}

// Maps the checked descriptor itself, as the plugin is mapped (load.cc).
absl::Status DependencyMapper::Map(OpenDependency dependency) {
  if (!dependency.sealed) {
    if (absl::Status unchanged = CheckStillAs(
            dependency.fd.get(), dependency.opened, dependency.real_path,
            "changed after it was checked", "so it was not mapped");
        !unchanged.ok()) {
      return unchanged;
    }
  }
  const std::string fd_path = FdPath(dependency.fd.get());
  rules_.trace->Line(TraceCategory::kLoad, plugin_, ": dependency ",
                     dependency.real_path, ": mapping the checked ",
                     dependency.sealed ? "sealed copy" : "descriptor",
                     " through ", fd_path);
  void* handle = ::dlopen(fd_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    return absl::FailedPreconditionError(absl::StrCat(
        "the dynamic loader could not load it: ", error ? error : "unknown error"));
  }
  mapped_.Add({handle, std::move(dependency.fd), std::move(dependency.real_path)});
  return absl::OkStatus();
}

absl::Status DependencyMapper::NotMapped(const FoundLibrary& found,
                                         const absl::Status& why) const {
  return absl::Status(why.code(), absl::StrCat(
      plugin_, ": its dependency ", found.path, " (found through $ORIGIN, ",
      found.via, " ", found.search_entry, ") was not mapped: ", why.message()));
}

}  // namespace

void MappedDependencies::Keep() {
  for (MappedDependency& dependency : mapped_) dependency.fd.Release();
  mapped_.clear();
}

void MappedDependencies::Unload(const Tracer* trace) {
  for (auto it = mapped_.rbegin(); it != mapped_.rend(); ++it) {
    const std::string fd_path = FdPath(it->fd.get());
    ::dlclose(it->handle);
    // Still known by its descriptor's name: its number must not be reused.
    void* still = ::dlopen(fd_path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (still != nullptr) {
      ::dlclose(still);
      it->fd.Release();
    }
    if (trace != nullptr) {
      trace->Line(TraceCategory::kLoad, it->path, still != nullptr
                      ? ": dependency could not be unmapped (glibc keeps it)"
                      : ": dependency unmapped");
    }
  }
  mapped_.clear();
}

absl::StatusOr<MappedDependencies> LoadOriginDependencies(
    int fd, uint64_t size, const std::string& real_path,
    const DependencyRules& rules) {
  absl::StatusOr<ElfDynamic> dynamic = ReadElfDynamic(fd, size, real_path);
  if (!dynamic.ok()) return dynamic.status();
  return LoadOriginDependencies(*std::move(dynamic), real_path, rules);
}

absl::StatusOr<MappedDependencies> LoadOriginDependencies(
    ElfDynamic dynamic, const std::string& real_path,
    const DependencyRules& rules) {
  const SearchingObject plugin{real_path, DirectoryOf(real_path),
                               std::move(dynamic)};
  DependencyMapper mapper(rules, real_path);
  if (absl::Status status = mapper.MapFor(plugin); !status.ok()) {
    mapper.mapped().Unload(rules.trace);
    return status;
  }
  return std::move(mapper.mapped());
}

}  // namespace preload::internal
