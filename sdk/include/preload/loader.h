// Copyright the PreloadSDK authors.
//
// preload/loader.h — open plugins only after their build fingerprint has been
// verified against the host's.
//
//   preload::Loader loader;                                // policy: strict
//   absl::StatusOr<preload::Plugin*> plugin = loader.Open("./hello.so");
//   if (!plugin.ok()) { std::cerr << plugin.status() << "\n"; return 1; }
//   auto greet = (*plugin)->Lookup<std::string(const std::string&)>("Greet");
//   if (greet.ok()) std::cout << (**greet)("world");
//
// `Open` opens the file once, reads its fingerprint note through that file
// descriptor without mapping it, compares it with the host's under the policy,
// and only when it is accepted maps that same descriptor, runs the plugin's
// PRELOAD_PLUGIN_INIT and registers its exports. A refused plugin is never
// mapped: its code never runs. Plugins are never unloaded.
//
// A Loader is safe to use from many threads at once.
#ifndef PRELOAD_LOADER_H_
#define PRELOAD_LOADER_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "preload/fingerprint.h"
#include "preload/policy.h"
#include "preload/type_name.h"

namespace preload {

struct LoaderOptions {
  Policy policy = Policy::kStrict;
  // What plugins are compared with. Unset: the running executable's own
  // fingerprint note (made by target_preload_host), or, when it has none, the
  // SDK library's fingerprint.
  std::optional<Fingerprint> host_fingerprint;
};

// A verified, mapped and initialised plugin. Owned by its Loader; never
// unloaded, so pointers obtained from Lookup stay valid for the process's life.
class Plugin {
 public:
  // The plugin's own fingerprint, as read from its file.
  const Fingerprint& fingerprint() const { return fingerprint_; }
  // The plugin's name from its fingerprint (`add_preload_plugin`'s target).
  std::string_view name() const { return fingerprint_.name(); }
  // The file it was loaded from, symlinks resolved.
  const std::string& path() const { return path_; }

  // The export `name`, if the plugin exported it with exactly type T. For a
  // function T is its type (`int(const std::string&)`) and the result a
  // function pointer; for a variable T is the variable's type and the result
  // points at it. NotFound names the exports that exist; InvalidArgument
  // names both types when they differ.
  template <typename T>
  [[nodiscard]] absl::StatusOr<T*> Lookup(std::string_view name) const {
    absl::StatusOr<void*> address = LookupAddress(name, TypeName<T>());
    if (!address.ok()) return address.status();
    if constexpr (std::is_function_v<T>) {
      return reinterpret_cast<T*>(*address);
    } else {
      return static_cast<T*>(*address);
    }
  }

  // The names of every export, sorted.
  std::vector<std::string> ExportNames() const;

 private:
  friend class Loader;
  struct Export {
    std::string type;
    void* address = nullptr;
  };

  Plugin(Fingerprint fingerprint, std::string path)
      : fingerprint_(std::move(fingerprint)), path_(std::move(path)) {}

  absl::StatusOr<void*> LookupAddress(std::string_view name,
                                      const std::string& type) const;

  Fingerprint fingerprint_;
  std::string path_;
  absl::flat_hash_map<std::string, Export> exports_;
};

class Loader {
 public:
  explicit Loader(LoaderOptions options = {});
  // Plugins stay mapped: their code may still be referenced.
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // Verifies, maps, initialises and registers the plugin at `path`. Opening
  // a file that is already loaded (by any path to it) returns the same Plugin.
  // Errors, each naming the file:
  //   NotFound            the file does not exist;
  //   InvalidArgument     not a regular file, not ELF, corrupt, or carries no
  //                       PreloadSDK fingerprint;
  //   FailedPrecondition  the fingerprint is refused by the policy (every
  //                       differing field named, with both values and a hint),
  //                       or the dynamic loader or the plugin's init failed;
  //   AlreadyExists       another file with the same plugin name is loaded.
  [[nodiscard]] absl::StatusOr<Plugin*> Open(std::string_view path);

  // Everything Open does before mapping: returns the plugin's fingerprint if
  // it would be accepted, the same error as Open otherwise. Maps nothing.
  [[nodiscard]] absl::StatusOr<Fingerprint> Verify(std::string_view path) const;

  // The loaded plugins in the order they were loaded.
  std::vector<const Plugin*> plugins() const;

  const Fingerprint& host_fingerprint() const { return host_; }
  Policy policy() const { return policy_; }

 private:
  struct OpenFile;
  absl::StatusOr<OpenFile> OpenAndVerify(std::string_view path) const;
  absl::StatusOr<Plugin*> LoadVerified(OpenFile file);

  Policy policy_;
  Fingerprint host_;
  // Recursive so that a plugin's init may itself open plugins.
  mutable std::recursive_mutex mutex_;
  std::vector<std::unique_ptr<Plugin>> plugins_;
  // File identity (device, inode) -> plugin, and name -> plugin.
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, Plugin*> by_file_;
  absl::flat_hash_map<std::string, Plugin*> by_name_;
};

}  // namespace preload

#endif  // PRELOAD_LOADER_H_
