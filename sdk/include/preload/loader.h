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
// mapped: its code never runs. A file changed between verification and
// mapping is refused; with LoaderOptions::sealed_copy a sealed in-memory copy
// is verified and mapped instead (docs/security.md). Plugins are never
// unloaded.
//
// `Open` also takes a bare name: `loader.Open("hello")` looks for hello.so in
// LoaderOptions::search_path, then, for a host built with target_preload_host
// still running in its build tree, that tree's plugin directories, then in
// the host's own plugin directories ($ORIGIN/../lib/preload,
// $ORIGIN/../lib/<multiarch triplet>/preload). Before
// reading anything, it refuses a file that someone other than root or this
// process's user could have written (LoaderOptions::check_file_trust). With
// LoaderOptions::trace, every step is traced (docs/preloading.md).
//
// A bare name may also name a static plugin, linked into the program
// (add_preload_plugin(<p> STATIC ...), docs/cmake.md): it is found before any
// file is searched, its fingerprint is compared with the host's as a file's
// is, and only when it is accepted does its PRELOAD_PLUGIN_INIT run (once per
// process, whichever Loader opens it first) and its exports get registered.
// A program linked with -static opens only static plugins: a file is
// verified, then refused (FailedPrecondition), never mapped.
//
// `Verify` does everything `Open` does but map. To verify many files of one
// directory (what `preload scan` does), `VerifyDirectory` (or `OpenDirectory`
// and PluginDirectory::Verify, in an order of your own) checks who may write
// the directory and the directories above it once, then opens each file
// relative to the directory: the same verdict per file, in the same words,
// without walking from "/" for every file.
//
// A Loader is safe to use from many threads at once.
#ifndef PRELOAD_LOADER_H_
#define PRELOAD_LOADER_H_

#include <cstddef>
#include <functional>
#include <memory>
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
namespace internal {
struct CheckedDirectory;
struct ListedPlugins;
struct LoaderState;
struct PrefetchedVerdicts;
struct RequirementLinks;
struct RequiredExportAccess;
}  // namespace internal
class Loader;

// Which steps of opening a plugin a Loader traces, and where to. The lines
// look like "preload: search:   trying /opt/app/lib/preload/hello.so
// ($ORIGIN/../lib/preload): taken"; their format is for people, not parsers.
struct TraceOptions {
  bool search = false;  // each candidate of a bare name: taken or why skipped
  bool verify = false;  // file trust, the host's fingerprint, every field compared
  bool load = false;    // mapping, init, registration
  // Receives each line, without its newline. Unset: written to stderr.
  std::function<void(std::string_view line)> sink;
};

// How VerifyDirectory reads the files of a directory. Batched, it opens,
// fstat's and reads the first `read_bytes` of `batch_files` files per
// io_uring submission, and then the ranges their start-up check reads, a few
// system calls per batch instead of six or more per file, and then verifies
// each file exactly as one at a time would: the same checks on the same
// descriptor, the same verdict in the same words (what was not fetched is
// read from the descriptor as usual). Where io_uring is missing
// or forbidden (ENOSYS, EPERM: seccomp, containers,
// kernel.io_uring_disabled) it reads one file at a time, silently; the
// verify trace says which. Nothing is mapped either way
// (docs/performance.md).
struct DirectoryReads {
  bool batched = true;           // false: one file at a time, always
  std::size_t batch_files = 64;  // files per batch, 1 to 1024
  // Bytes read from the start of each file, 4 KiB to 1 MiB.
  std::size_t read_bytes = 4096;
  // Then, in one more submission per batch, the parts a plugin's start-up
  // check reads (its dynamic section, the start of its code) where they lie
  // past read_bytes: cheaper than reading up to them (a 16 KiB read copies
  // pages verification does not need).
  bool read_startup_ranges = true;
  // A kernel thread polls for submissions (IORING_SETUP_SQPOLL).
  bool poll_submissions = false;
  // The pages are read into buffers registered with the ring once.
  bool register_buffers = false;
  // Each file's fstat submitted to the ring too (STATX of the descriptor),
  // rather than one fstat(2) per file. The kernel runs it in a worker thread
  // (io-wq); where it refuses STATX, fstat(2) is used.
  bool stat_in_ring = true;
};

// How a Loader verifies and loads: the policy its plugins are compared under,
// what they are compared with, where bare names are searched, how far the
// file system is trusted, and what is traced. Every field has a safe default:
// `Loader loader;` is strict, checks file trust and traces nothing. A Loader
// reads no environment variable; what comes from the environment
// (PRELOAD_PLUGIN_PATH, LD_LIBRARY_PATH, ...) is read by its caller and
// passed in here, as preload::LoaderOptionsFor does (<preload/autoload.h>).
struct LoaderOptions {
  Policy policy = Policy::kStrict;
  // What plugins are compared with. Unset: the running executable's own
  // fingerprint note (made by target_preload_host), or, when it has none, the
  // SDK library's fingerprint.
  std::optional<Fingerprint> host_fingerprint;
  // Directories searched, in order, for a plugin named without a '/'.
  std::vector<std::string> search_path;
  // Then also search DefaultPluginDirectories().
  bool default_search_path = true;
  // Refuse a plugin file, or a directory on its real path, that is writable by
  // group or others or owned by someone other than root or the effective user
  // (docs/security.md). Turn off only for development trees.
  bool check_file_trust = true;
  // Copy each plugin into a sealed memory file (memfd) before reading its
  // fingerprint, and verify and map that copy: what runs is then exactly what
  // was verified, whatever happens to the file meanwhile. Costs a copy of the
  // file per Open; for hosts that must not trust the file system
  // (docs/security.md). Verify() reads the file itself.
  bool sealed_copy = false;
  // The directories of LD_LIBRARY_PATH as the dynamic linker uses them (see
  // ReadEnvironment().ld_library_path). Only consulted for a plugin whose
  // DT_RUNPATH or DT_RPATH names $ORIGIN: the loader maps such a plugin's
  // dependencies from the plugin's own directory itself, unless the dynamic
  // linker would find them first, and to know that it must know the
  // directories the dynamic linker searches before DT_RUNPATH.
  std::vector<std::string> library_path;
  TraceOptions trace;
  // How this loader is named in LoadedPlugins() and by the manhole.
  std::string name = "loader";
  // Added last, so that aggregate initialisation of the fields above
  // keeps compiling.
  // Public keys, each a minisign public key (the contents of a NAME.pub
  // that preload keygen or minisign -G wrote, or its key line; see
  // ReadPublicKeyFile in <preload/signing.h>). When there is one, here or
  // compiled into the host's note (target_preload_host TRUSTED_KEYS), a
  // plugin is accepted only if PLUGIN.so.minisig beside it is the signature
  // of its very bytes by one of these keys; otherwise it is refused before
  // it is mapped (PermissionDenied, naming the key found and the keys
  // trusted). Keys given here add to the host's; they cannot remove them.
  // An unusable key refuses every plugin. docs/signing.md.
  std::vector<std::string> trusted_keys;
  // When set (even to an empty list), only plugin files whose SHA-256 is
  // one of these (64 hex digits each; ReadSha256File reads sha256sum's
  // output) are accepted, others refused before mapping (PermissionDenied).
  // With trusted keys too, a plugin must pass both.
  std::optional<std::vector<std::string>> allowed_sha256;
  // How VerifyDirectory reads a directory's files: batched through
  // io_uring where the kernel allows it (DirectoryReads).
  DirectoryReads directory_reads;
};

// The directories searched after LoaderOptions::search_path: the build
// tree's plugin directories while a host built with target_preload_host runs
// as the very file built there (never once installed or copied), then the
// running executable's $ORIGIN/../lib/preload, then
// $ORIGIN/../lib/<triplet>/preload (lib/x86_64-linux-gnu/preload:
// GNUInstallDirs' libdir under /usr). The host's install prefix is where it
// runs from; no install directory is compiled in.
std::vector<std::string> DefaultPluginDirectories();

// A verified, mapped and initialised plugin. Owned by its Loader; never
// unloaded, so pointers obtained from Lookup stay valid for the process's life.
class Plugin {
 public:
  // The plugin's own fingerprint, as read from its file.
  const Fingerprint& fingerprint() const { return fingerprint_; }
  // The plugin's name from its fingerprint (`add_preload_plugin`'s target).
  std::string_view name() const { return fingerprint_.name(); }
  // The file it was loaded from, symlinks resolved; for a static plugin, the
  // executable it is linked into.
  const std::string& path() const { return path_; }
  // True for a plugin linked into the executable (add_preload_plugin(<p>
  // STATIC ...)) rather than mapped from a file of its own.
  bool is_static() const { return is_static_; }

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

  // The plugins this one requires (add_preload_plugin(... REQUIRES ...),
  // docs/requirements.md), in the order its note names them: each was
  // loaded, and its init had completed, before this plugin's init ran.
  const std::vector<const Plugin*>& requirements() const {
    return requirements_;
  }
  // The required plugin named `name`, to look up its exports:
  //   (*plugin)->Required("codec_core").value()->Lookup<int()>("Frames")
  // NotFound, naming what this plugin requires, if it does not require it.
  [[nodiscard]] absl::StatusOr<const Plugin*> Required(std::string_view name) const;

 private:
  friend struct internal::LoaderState;  // makes Plugins
  friend struct internal::RequirementLinks;      // sets requirements_
  friend struct internal::RequiredExportAccess;  // LookupAddress by type name
  struct Export {
    std::string type;
    void* address = nullptr;
  };

  Plugin(Fingerprint fingerprint, std::string path, bool is_static)
      : fingerprint_(std::move(fingerprint)),
        path_(std::move(path)),
        is_static_(is_static) {}

  absl::StatusOr<void*> LookupAddress(std::string_view name,
                                      const std::string& type) const;

  Fingerprint fingerprint_;
  std::string path_;
  bool is_static_;
  absl::flat_hash_map<std::string, Export> exports_;
  std::vector<const Plugin*> requirements_;
};

// One directory of plugins, opened by Loader::OpenDirectory to verify many
// of its files: who may write the directory and every directory above it is
// checked once, when it is opened, and each file is then opened relative to
// the directory's descriptor, leaving only the file's own owner and mode to
// check. Refers to its Loader, which must outlive it. Safe to use from many
// threads at once.
class PluginDirectory {
 public:
  PluginDirectory(PluginDirectory&&) noexcept;
  PluginDirectory& operator=(PluginDirectory&&) noexcept;
  ~PluginDirectory();

  // What the loader's Verify(path) returns for the file `name` of this
  // directory, with path = path() + "/" + name (one '/' only, if path() ends
  // in one): the same fingerprint, or the same error in the same words. The
  // file is the entry of the directory that was opened, even if the path has
  // named another directory since. A symlink, a name with a '/' (or "." or
  // ".."), a file that cannot be opened there, and every file of a directory
  // that failed the trust check are verified by their path, the whole way.
  [[nodiscard]] absl::StatusOr<Fingerprint> Verify(std::string_view name) const;

  // Verifies the files `names` of this directory now, together, their reads
  // batched as LoaderOptions::directory_reads says, and keeps the results:
  // a later Verify of one of them returns its kept result (once) instead of
  // reading the file again. For a caller that walks the directory itself in
  // an order of its own (`preload scan`) and knows the names coming next.
  // Keeps at most the last call's names; the same results as Verify.
  void Prefetch(const std::vector<std::string>& names) const;

  // The directory as given to OpenDirectory.
  const std::string& path() const;

 private:
  friend class Loader;
  PluginDirectory(const internal::LoaderState& loader,
                  std::unique_ptr<internal::CheckedDirectory> directory);

  const internal::LoaderState* loader_;
  std::unique_ptr<internal::CheckedDirectory> directory_;
  std::unique_ptr<internal::PrefetchedVerdicts> prefetched_;  // Prefetch's
};

// Opens plugins: finds a bare name in the search path (LoaderOptions::
// search_path, then DefaultPluginDirectories()), checks who may have written
// the file, opens it once, reads its fingerprint note from the descriptor,
// compares it with the host's under the policy, and only then maps that very
// descriptor, runs the plugin's PRELOAD_PLUGIN_INIT and registers its
// exports. Verify and VerifyDirectory do everything but map. Owns the Plugin
// objects it made, which live as long as it does; the plugins' code stays
// mapped for the process's life, even after the Loader is destroyed. Safe to
// use from many threads at once; a plugin's init may itself open plugins
// through the same Loader.
class Loader {
 public:
  explicit Loader(LoaderOptions options = {});
  // Plugins stay mapped: their code may still be referenced.
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // Verifies, maps, initialises and registers the plugin at `path`. Opening
  // a file that is already loaded (by any path to it) returns the same Plugin.
  // The plugins it requires (docs/requirements.md) are found by name in the
  // search path, verified alike and loaded first, depth first, each once; a
  // requirement that is missing, refused or of a version that does not
  // satisfy, or a cycle of requirements, fails the open before anything is
  // mapped, naming the chain ("b → a → c → b"); a requirement whose init
  // fails fails its dependents, naming the chain.
  // Errors, each naming the file:
  //   NotFound            the file does not exist;
  //   InvalidArgument     not a regular file, not ELF, corrupt, or carries no
  //                       PreloadSDK fingerprint;
  //   FailedPrecondition  the fingerprint is refused by the policy (every
  //                       differing field named, with both values and a hint),
  //                       or the dynamic loader or the plugin's init failed;
  //   AlreadyExists       another file with the same plugin name is loaded;
  //   Aborted             the file changed between verification and mapping
  //                       (not with LoaderOptions::sealed_copy);
  //   PermissionDenied    the file or a directory above it could have been
  //                       written by someone other than root or this user;
  //                       or, with trusted keys or allowed digests, it is
  //                       unsigned, signed by another key, changed since it
  //                       was signed, or its digest is not allowed.
  // `path` may be a bare name ("hello", "hello.so": no '/'), searched as the
  // Loader's class comment says; NotFound then lists every candidate tried.
  [[nodiscard]] absl::StatusOr<Plugin*> Open(std::string_view path);

  // The file Open would open for `name_or_path`: a path is returned as is, a
  // bare name is searched. NotFound lists every candidate tried.
  [[nodiscard]] absl::StatusOr<std::string> Resolve(
      std::string_view name_or_path) const;

  // Everything Open does before mapping: returns the plugin's fingerprint if
  // it would be accepted, the same error as Open otherwise. Maps nothing.
  [[nodiscard]] absl::StatusOr<Fingerprint> Verify(std::string_view path) const;

  // Opens the directory `dir` to verify its files (PluginDirectory) and, if
  // LoaderOptions::check_file_trust, checks who may write it and each
  // directory above it, once. Errors, naming `dir`: NotFound, PermissionDenied
  // (it cannot be opened), InvalidArgument (not a directory). A directory
  // refused by the trust check still opens: each of its files then gets its
  // own refusal from PluginDirectory::Verify, naming the file.
  [[nodiscard]] absl::StatusOr<PluginDirectory> OpenDirectory(
      std::string_view dir) const;

  // Verifies every file of the directory `dir` whose name ends in ".so" (what
  // `preload scan` reads), calling visit(name, result) for each, with what
  // Verify(dir + "/" + name) would return (see PluginDirectory::Verify), in
  // the directory's own order (readdir, unsorted). Streams the entries: the
  // memory held does not grow with their number (one batch of pages, see
  // LoaderOptions::directory_reads). Returns OpenDirectory's
  // errors, or an error reading the directory; OK once every entry was
  // visited, whatever their results.
  using DirectoryVisitor =
      std::function<void(std::string_view name, absl::StatusOr<Fingerprint> result)>;
  [[nodiscard]] absl::Status VerifyDirectory(std::string_view dir,
                                             const DirectoryVisitor& visit) const;

  // The loaded plugins in the order they were loaded.
  std::vector<const Plugin*> plugins() const;

  // What plugins are compared with (LoaderOptions::host_fingerprint).
  const Fingerprint& host_fingerprint() const;
  // True when the host carries no fingerprint note and no host_fingerprint
  // was given, so plugins are compared with the SDK library's fingerprint.
  bool host_is_sdk_fallback() const;
  Policy policy() const;
  const std::string& name() const;

 private:
  friend struct internal::ListedPlugins;  // PRELOAD_PLUGINS, each file read once
  std::unique_ptr<internal::LoaderState> state_;
};

// A plugin as every part of the process may see it: a copy, safe to keep.
struct LoadedPlugin {
  std::string loader;  // LoaderOptions::name of the loader that loaded it
  Policy policy = Policy::kStrict;
  std::string path;    // symlinks resolved; a static plugin's executable
  Fingerprint fingerprint;
  Fingerprint host_fingerprint;  // what it was compared with
  bool is_static = false;        // linked into the executable (Plugin::is_static)
};

// Every plugin loaded by every Loader alive in this process, in load order.
// Plugins, which cannot link the SDK, read the same list through
// <preload/process.h>.
std::vector<LoadedPlugin> LoadedPlugins();

}  // namespace preload

#endif  // PRELOAD_LOADER_H_
