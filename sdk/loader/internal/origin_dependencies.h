// Copyright the PreloadSDK authors.
//
// loader/internal/origin_dependencies.h — a plugin's dependencies found
// through $ORIGIN, mapped by the SDK itself, with a plugin's safeguards.
//
// The loader maps a verified plugin through /proc/self/fd/N, so to the
// dynamic loader the plugin's $ORIGIN is /proc/self/fd, not the plugin's
// directory, and a dependency found through a RUNPATH or RPATH of
// "$ORIGIN/..." would not be found. So the loader maps each such dependency
// itself, where ld.so would have found it (elf/internal/library_search.h);
// ld.so then matches the plugin's DT_NEEDED to it by its soname.
//
// A file the SDK maps is held to a plugin's rules, as its code runs as soon
// as it is mapped: it is opened once, its file trust is checked
// (file_trust.h), in sealed-copy mode a sealed copy is made of it, it is
// checked unchanged just before it is mapped, and it is mapped from that
// descriptor through /proc/self/fd, like a plugin. Its own $ORIGIN
// dependencies are mapped the same way before it. What is not checked: its
// fingerprint (a dependency is an ordinary library and carries none).
#ifndef PRELOAD_LOADER_INTERNAL_ORIGIN_DEPENDENCIES_H_
#define PRELOAD_LOADER_INTERNAL_ORIGIN_DEPENDENCIES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/internal/unique_fd.h"
#include "loader/internal/trace.h"
#include "preload/elf_dynamic.h"

namespace preload::internal {

// How a loader maps dependencies: its own settings.
struct DependencyRules {
  bool check_file_trust = true;
  bool sealed_copy = false;
  // The directories the dynamic linker searches before a DT_RUNPATH
  // (LoaderOptions::library_path).
  const std::vector<std::string>* ld_library_path = nullptr;
  const Tracer* trace = nullptr;
};

// One dependency the SDK mapped: its handle and the descriptor it was mapped
// through, which must stay open while glibc knows its /proc/self/fd name.
struct MappedDependency {
  void* handle = nullptr;
  UniqueFd fd;
  std::string path;  // real path, for traces
};

// What the SDK mapped for one plugin, in the order it was mapped. Either
// Keep() (the plugin was registered) or Unload() (it was refused); dropping
// it without either unloads.
class MappedDependencies {
 public:
  MappedDependencies() = default;
  MappedDependencies(MappedDependencies&&) = default;
  MappedDependencies& operator=(MappedDependencies&&) = default;
  ~MappedDependencies() { Unload(nullptr); }

  void Add(MappedDependency dependency) {
    mapped_.push_back(std::move(dependency));
  }
  // The plugin now holds them: their descriptors stay open for the process's
  // life, like the plugin's own.
  void Keep();
  // Closes them, last mapped first. glibc unmaps a library when its last
  // reference goes, unless it is marked NODELETE (DF_1_NODELETE, or it
  // defines a STB_GNU_UNIQUE symbol, as C++ inline variables and template
  // statics compiled by GCC do): such a library stays mapped and keeps its
  // descriptor. Each step is traced to `trace` if set.
  void Unload(const Tracer* trace);

 private:
  std::vector<MappedDependency> mapped_;
};

// Maps the dependencies the plugin open on `fd` (`size` bytes; `real_path`
// its path with symlinks resolved) finds through $ORIGIN and that are not
// mapped already, each as the file comment says. Must be called after the
// plugin's last change check and just before it is mapped. Errors name the
// plugin and the dependency: PermissionDenied (file trust), Aborted (changed
// while it was checked), FailedPrecondition (the dynamic loader refused it);
// what was mapped before the error is unloaded again.
[[nodiscard]] absl::StatusOr<MappedDependencies> LoadOriginDependencies(
    int fd, uint64_t size, const std::string& real_path,
    const DependencyRules& rules);
// The same for a plugin whose dynamic section the caller has read.
[[nodiscard]] absl::StatusOr<MappedDependencies> LoadOriginDependencies(
    ElfDynamic dynamic, const std::string& real_path,
    const DependencyRules& rules);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_ORIGIN_DEPENDENCIES_H_
