// Copyright the PreloadSDK authors.
//
// loader/internal/loader_state.h — everything a Loader holds, and the steps
// of opening a plugin, behind preload::Loader's API:
//
//   Resolve        a bare name to a file (search_path.h)
//   OpenAndVerify  open once, check trust (plugin_file.h), read the note,
//                  compare it with the host's (verify.cc)
//   Load           map the verified descriptor, run the init, register the
//                  exports (load.cc)
//   OpenStatic     the same for a plugin linked into the program: verify
//                  its record's fingerprint, init once, register
//                  (static_open.cc)
#ifndef PRELOAD_LOADER_INTERNAL_LOADER_STATE_H_
#define PRELOAD_LOADER_INTERNAL_LOADER_STATE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/internal/batch_reader.h"
#include "loader/internal/checked_directory.h"
#include "loader/internal/plugin_entries.h"
#include "loader/internal/plugin_file.h"
#include "loader/internal/process_registry.h"
#include "loader/internal/provenance.h"
#include "loader/internal/search_path.h"
#include "loader/internal/static_plugins.h"
#include "loader/internal/trace.h"
#include "policy/internal/host_model.h"
#include "preload/fingerprint.h"
#include "preload/loader.h"
#include "preload/policy.h"

namespace preload::internal {

struct LoaderState {
  enum class HostSource { kOption, kExecutable, kSdk };

  explicit LoaderState(LoaderOptions options);

  // The file `spec` names: a path as it is, a bare name searched.
  absl::StatusOr<std::string> Resolve(std::string_view spec) const;
  // Resolves, opens, checks trust and verifies; `in`: `spec` names an entry
  // of this checked directory (PluginDirectory, PRELOAD_PLUGINS). With `to_load`, the file is
  // opened to be mapped: its real path is found and, in sealed-copy mode, it
  // is replaced by its sealed copy. `fetched`: what a batched scan of `in`
  // fetched of the entry (its descriptor, taken; its fstat and first page).
  absl::StatusOr<PluginFile> OpenAndVerify(
      std::string_view spec, bool to_load,
      const CheckedDirectory* in = nullptr,
      FetchedFile* fetched = nullptr) const;
  // Maps a file OpenAndVerify accepted, runs its init and registers it.
  // Called with `mutex` held.
  absl::StatusOr<Plugin*> Load(PluginFile file);
  // The static plugin linked into the program that `spec` names, if `spec`
  // is a bare name and one is; traces the search (static_open.cc).
  const StaticPlugin* FindStatic(std::string_view spec) const;
  // What Verify and Open do for a static plugin: compare its fingerprint
  // with the host's; then, for Open (with `mutex` held), run its init once
  // and register its exports.
  absl::StatusOr<Fingerprint> VerifyStatic(const StaticPlugin& plugin) const;
  absl::StatusOr<Plugin*> OpenStatic(const StaticPlugin& plugin);
  // "the host's own fingerprint note (host app 1.0)", for traces.
  std::string DescribeHost() const;

  // Set once, by the constructor.
  Policy policy;
  HostSource host_source = HostSource::kOption;
  Fingerprint host;
  // The host prepared for every comparison: made once per process for the
  // default host (loader_state.cc), once per loader for one in the options.
  std::shared_ptr<const HostModel> host_model;
  std::string name;
  bool check_file_trust;
  bool sealed_copy;
  std::vector<std::string> library_path;
  DirectoryReads directory_reads;
  // The keys and digests a plugin must match; from the options and the
  // host's note, so after `host`.
  Provenance provenance;
  std::shared_ptr<const Tracer> trace;

  // Recursive so that a plugin's init may itself open plugins.
  mutable std::recursive_mutex mutex;
  std::vector<std::unique_ptr<Plugin>> plugins;
  // File identity (device, inode) -> plugin, and name -> plugin.
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, Plugin*> by_file;
  absl::flat_hash_map<std::string, Plugin*> by_name;

 private:
  // The steps of OpenAndVerify (verify.cc).
  absl::StatusOr<PluginFile> Open(const std::string& path, bool to_load) const;
  absl::StatusOr<PluginFile> OpenEntry(const CheckedDirectory& directory,
                                       const std::string& path, bool to_load,
                                       FetchedFile* fetched) const;
  absl::Status Trust(PluginFile& file, const std::string& path, bool to_load,
                     TrustCheck check) const;
  absl::Status SealCopy(PluginFile& file) const;
  absl::Status CheckSigned(const PluginFile& file) const;
  absl::Status VerifyFingerprint(const Fingerprint& plugin,
                                 const std::string& path) const;
  // The steps of Load (load.cc).
  absl::Status CheckUnchanged(const PluginFile& file) const;
  absl::Status InitOncePerImage(void* handle, const PluginFile& file,
                                preload_init_fn init) const;
  Plugin* Register(Fingerprint fingerprint, std::string path,
                   PluginEntries& entries, bool is_static);

  std::vector<std::string> search_path_;
  bool default_search_path_;
  // The directories a bare name is looked for in, made on the first one
  // (the defaults cost a readlink of /proc/self/exe), then kept.
  mutable std::once_flag search_dirs_once_;
  mutable std::unique_ptr<const std::vector<SearchDirectory>> search_dirs_;
  // This loader's part of every entry in the process's list, made on the
  // first load.
  std::shared_ptr<const RegistryHost> registry_host_;
};

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_LOADER_STATE_H_
