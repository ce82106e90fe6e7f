// Copyright the PreloadSDK authors.
//
// What Open does once a plugin is verified: map the verified descriptor
// itself, through /proc/self/fd, so the bytes mapped come from the file that
// was checked, not from whatever the path names by now; then run its init
// and register its exports.
//
// glibc remembers every name a library was opened by and answers a later
// dlopen of the same name with that library. Were the descriptor closed, its
// number would be reused for another plugin and "/proc/self/fd/N" would then
// find the wrong library. So once dlopen has seen the name, the descriptor is
// never closed: one descriptor per plugin, for the process's life, as
// plugins are never unloaded. A plugin refused after dlopen (no export
// descriptor, a failed init) is closed again, and so is its descriptor once
// glibc no longer knows the name.
#include <dlfcn.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "loader/internal/init_once.h"
#include "loader/internal/loader_state.h"
#include "loader/internal/origin_dependencies.h"

namespace preload::internal {

// Without a sealed copy the plugin's code is mapped from the file itself: a
// file written to since its note was read is refused rather than mapped.
absl::Status LoaderState::CheckUnchanged(const PluginFile& file) const {
  if (file.sealed) return absl::OkStatus();
  return CheckStillAs(file.fd.get(), file.verified, file.path,
                      "changed after it was verified", "so it was not mapped");
}

// Runs the init of the image `handle` maps, unless it ran for that image
// before, through this loader or another (init_once.h).
absl::Status LoaderState::InitOncePerImage(void* handle, const PluginFile& file,
                                           preload_init_fn init) const {
  const InitIdentity identity{file.id, nullptr};
  absl::StatusOr<InitClaim> claim = ClaimImageInit(handle, identity, file.path);
  if (!claim.ok()) return claim.status();
  if (*claim == InitClaim::kAlreadyRan) {
    trace->Line(TraceCategory::kLoad, file.path,
                ": PRELOAD_PLUGIN_INIT already ran for this mapped image "
                "(opened before, through another loader): not run again");
    return absl::OkStatus();
  }
  trace->Line(TraceCategory::kLoad, file.path, ": running PRELOAD_PLUGIN_INIT");
  absl::Status status;
  {
    InitInProgress running(identity, file.path);
    status = RunPluginInit(init);
  }
  FinishImageInit(handle, status.ok());
  if (status.ok()) return status;
  return absl::FailedPreconditionError(absl::StrCat(
      file.path, ": PRELOAD_PLUGIN_INIT failed, so the plugin was not "
      "registered: ", status.ToString()));
}

namespace {

// The dynamic section was read with the note, from the same first page
// (verify.cc); a file that comes without it is read here.
absl::StatusOr<MappedDependencies> MapOriginDependencies(
    PluginFile& file, const DependencyRules& rules) {
  if (!file.dynamic) {
    return LoadOriginDependencies(file.fd.get(), file.size, file.path, rules);
  }
  if (!file.dynamic->ok()) return file.dynamic->status();
  return LoadOriginDependencies(**std::move(file.dynamic), file.path, rules);
}

}  // namespace

absl::StatusOr<Plugin*> LoaderState::Load(PluginFile file) {
  // glibc's dlopen in a -static program needs the very glibc it was linked
  // with installed as shared libraries, and fails or crashes otherwise.
  if (ProgramIsStaticallyLinked()) {
    absl::Status status = absl::FailedPreconditionError(absl::StrCat(
        file.path, ": verified, but this program is statically linked, so it "
        "cannot map a shared plugin; link the plugin into the program instead "
        "(add_preload_plugin(", ToAbsl(file.fingerprint->name()),
        " STATIC ...) and target_link_libraries(<host> PRIVATE ",
        ToAbsl(file.fingerprint->name()), "))"));
    trace->Line(TraceCategory::kLoad, FirstLine(status));
    return status;
  }
  // An init that opens its own plugin again: refused before anything more
  // is mapped (init_once.h).
  if (absl::Status cycle = CheckNoInitCycle({file.id, nullptr}, file.path);
      !cycle.ok()) {
    trace->Line(TraceCategory::kLoad, FirstLine(cycle));
    return cycle;
  }
  const std::string fd_path = absl::StrCat("/proc/self/fd/", file.fd.get());
  trace->Line(TraceCategory::kLoad, file.path, ": mapping the verified ",
              file.sealed ? "sealed copy" : "descriptor", " through ", fd_path,
              " (device ", file.id.first, ", inode ", file.id.second, ")");
  if (absl::Status unchanged = CheckUnchanged(file); !unchanged.ok()) {
    trace->Line(TraceCategory::kLoad, FirstLine(unchanged));
    return unchanged;
  }
  // Through /proc/self/fd the plugin's $ORIGIN is lost: what it finds
  // through $ORIGIN is mapped first, from its real directory, and only now,
  // so that nothing of a plugin refused as changed runs.
  const DependencyRules rules{check_file_trust, sealed_copy, &library_path,
                              trace.get()};
  absl::StatusOr<MappedDependencies> dependencies = MapOriginDependencies(file, rules);
  if (!dependencies.ok()) {
    trace->Line(TraceCategory::kLoad, FirstLine(dependencies.status()));
    return dependencies.status();
  }
  void* handle = ::dlopen(fd_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    absl::Status status = absl::FailedPreconditionError(absl::StrCat(
        file.path, ": verified, but the dynamic loader could not load it: ",
        error ? error : "unknown error"));
    trace->Line(TraceCategory::kLoad, FirstLine(status));
    dependencies->Unload(trace.get());
    return status;
  }
  auto unload = [this, handle, &file, &fd_path,
                 &dependencies](absl::Status status) {
    trace->Line(TraceCategory::kLoad, FirstLine(status));
    ::dlclose(handle);
    // A library dlclose could not unload (it may be marked NODELETE) keeps
    // its name, so it keeps its descriptor; otherwise a host that retries
    // would run out of descriptors.
    if (void* still = ::dlopen(fd_path.c_str(), RTLD_LAZY | RTLD_NOLOAD)) {
      ::dlclose(still);
      file.fd.Release();
    }
    dependencies->Unload(trace.get());
    return status;
  };
  const std::string symbol = *DescriptorSymbol(*file.fingerprint, file.path);
  absl::StatusOr<PluginEntries> entries =
      ReadPluginEntries(handle, symbol, file.path);
  if (!entries.ok()) return unload(entries.status());
  if (entries->init != nullptr) {
    if (absl::Status init = InitOncePerImage(handle, file, entries->init);
        !init.ok()) {
      return unload(init);
    }
  }
  dependencies->Keep();
  Plugin* plugin = Register(*std::move(file.fingerprint), std::move(file.path),
                            *entries, /*is_static=*/false);
  by_file.emplace(file.id, plugin);
  file.fd.Release();  // dlopen knows it by its number now: see above
  return plugin;
}

// Adds the initialised plugin to this loader and to the process's list
// (LoadedPlugins).
Plugin* LoaderState::Register(Fingerprint fingerprint, std::string path,
                              PluginEntries& entries, bool is_static) {
  auto plugin = std::unique_ptr<Plugin>(
      new Plugin(std::move(fingerprint), std::move(path), is_static));
  for (ExportEntry& entry : entries.exports) {
    plugin->exports_.emplace(std::move(entry.name),
                             Plugin::Export{TypeOf(entry), entry.address});
  }
  Plugin* raw = plugin.get();
  plugins.push_back(std::move(plugin));
  by_name.emplace(std::string(raw->name()), raw);
  if (registry_host_ == nullptr) {
    registry_host_ =
        std::make_shared<const RegistryHost>(RegistryHost{name, policy, host});
  }
  RegisterPlugin(this, registry_host_, raw->path(), raw->fingerprint(),
                 is_static);
  if (trace->enabled(TraceCategory::kLoad)) {
    std::string exports;
    for (const std::string& export_name : raw->ExportNames()) {
      absl::StrAppend(&exports, exports.empty() ? "" : ", ", export_name);
    }
    trace->Line(TraceCategory::kLoad, raw->path(), ": loaded ",
                is_static ? "static " : "", "plugin '",
                ToAbsl(raw->name()), "' ", ToAbsl(raw->fingerprint().version()),
                " into loader '", name, "'; exports: ",
                exports.empty() ? "none" : exports);
  }
  return raw;
}

}  // namespace preload::internal
