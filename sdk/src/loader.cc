// Copyright the PreloadSDK authors.
#include "preload/loader.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "internal/plugin_entries.h"
#include "internal/string_view.h"
#include "internal/unique_fd.h"
#include "preload/elf_notes.h"
#include "preload/plugin_abi.h"

namespace preload {

using internal::ToAbsl;
using internal::UniqueFd;

struct Loader::OpenFile {
  UniqueFd fd;
  std::string path;  // symlinks resolved
  std::pair<uint64_t, uint64_t> id;  // device, inode
  Fingerprint fingerprint;
};

namespace {

// The running executable's own note, or the SDK's fingerprint if it has none
// (a host that did not call target_preload_host).
Fingerprint HostFingerprint() {
  for (const ElfNote& note : FindNotesOfThisProgram(kNoteOwner, kNoteType)) {
    absl::StatusOr<Fingerprint> parsed = Fingerprint::Parse(note.desc);
    if (parsed.ok()) return *std::move(parsed);
  }
  return SdkFingerprint();
}

absl::Status OpenError(std::string_view path, int error) {
  std::string message = absl::StrCat(ToAbsl(path), ": cannot open: ",
                                     std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM) {
    return absl::PermissionDeniedError(message);
  }
  return absl::InvalidArgumentError(message);
}

// Opens without following a FIFO's wait for a writer (O_NONBLOCK), then
// refuses anything but a regular file.
absl::StatusOr<UniqueFd> OpenRegularFile(std::string_view path,
                                         struct stat& info) {
  const std::string name(path);
  UniqueFd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) return OpenError(path, errno);
  if (::fstat(fd.get(), &info) != 0) return OpenError(path, errno);
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": not a regular file; a plugin is a .so file"));
  }
  return fd;
}

std::string RealPath(std::string_view path) {
  const std::string name(path);
  char resolved[PATH_MAX];
  if (::realpath(name.c_str(), resolved) == nullptr) return name;
  return resolved;
}

absl::StatusOr<Fingerprint> ReadPluginFingerprint(int fd,
                                                  std::string_view path) {
  absl::StatusOr<std::vector<ElfNote>> notes =
      FindElfNotes(fd, path, kNoteOwner, kNoteType);
  if (!notes.ok()) return notes.status();
  if (notes->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(path), ": not a PreloadSDK plugin: it carries no PreloadSDK "
        "fingerprint note; build it with add_preload_plugin"));
  }
  if (notes->size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(path), ": carries ", notes->size(),
        " fingerprint notes where a plugin has one; was a host or another "
        "plugin linked into it?"));
  }
  absl::StatusOr<Fingerprint> fingerprint =
      Fingerprint::Parse(notes->front().desc);
  if (!fingerprint.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(path), ": corrupt fingerprint note: ",
                     fingerprint.status().message()));
  }
  if (fingerprint->kind() != "plugin") {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(path), ": is a PreloadSDK ", ToAbsl(fingerprint->kind()),
        ", not a plugin"));
  }
  return fingerprint;
}

// The descriptor symbol comes from the file: accept only our own names, so a
// crafted note cannot make us look up an arbitrary symbol.
absl::StatusOr<std::string> DescriptorSymbol(const Fingerprint& fingerprint,
                                             std::string_view path) {
  std::string symbol(fingerprint.Get("descriptor").value_or(""));
  const bool valid =
      absl::StartsWith(symbol, PRELOAD_DESCRIPTOR_PREFIX) &&
      std::all_of(symbol.begin(), symbol.end(), [](char c) {
        return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
               (c >= 'A' && c <= 'Z');
      });
  if (!valid) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(path), ": the fingerprint names no valid export descriptor ('",
        symbol, "')"));
  }
  return symbol;
}

}  // namespace

Loader::Loader(LoaderOptions options)
    : policy_(options.policy),
      host_(options.host_fingerprint ? *std::move(options.host_fingerprint)
                                     : HostFingerprint()) {}

Loader::~Loader() = default;

absl::StatusOr<Loader::OpenFile> Loader::OpenAndVerify(
    std::string_view path) const {
  struct stat info {};
  absl::StatusOr<UniqueFd> fd = OpenRegularFile(path, info);
  if (!fd.ok()) return fd.status();
  absl::StatusOr<Fingerprint> fingerprint = ReadPluginFingerprint(fd->get(), path);
  if (!fingerprint.ok()) return fingerprint.status();
  if (absl::Status refused = Compare(host_, *fingerprint, policy_).ToStatus(path);
      !refused.ok()) {
    return refused;
  }
  if (absl::StatusOr<std::string> symbol = DescriptorSymbol(*fingerprint, path);
      !symbol.ok()) {
    return symbol.status();
  }
  return OpenFile{*std::move(fd), RealPath(path),
                  {static_cast<uint64_t>(info.st_dev),
                   static_cast<uint64_t>(info.st_ino)},
                  *std::move(fingerprint)};
}

absl::StatusOr<Fingerprint> Loader::Verify(std::string_view path) const {
  absl::StatusOr<OpenFile> file = OpenAndVerify(path);
  if (!file.ok()) return file.status();
  return std::move(file->fingerprint);
}

absl::StatusOr<Plugin*> Loader::Open(std::string_view path) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  absl::StatusOr<OpenFile> file = OpenAndVerify(path);
  if (!file.ok()) return file.status();
  if (auto it = by_file_.find(file->id); it != by_file_.end()) return it->second;
  const std::string name(file->fingerprint.name());
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    return absl::AlreadyExistsError(absl::StrCat(
        ToAbsl(path), ": plugin already loaded: a plugin named '", name,
        "' was loaded from ", it->second->path()));
  }
  return LoadVerified(*std::move(file));
}

// Maps the verified descriptor itself, through /proc/self/fd, so the bytes
// mapped come from the file that was checked, not from whatever the path
// names by now.
//
// glibc remembers every name a library was opened by and answers a later
// dlopen of the same name with that library. Were the descriptor closed, its
// number would be reused for another plugin and "/proc/self/fd/N" would then
// find the wrong library. So once dlopen has seen the name, the descriptor is
// never closed: one descriptor per plugin, for the process's life, as
// plugins are never unloaded.
absl::StatusOr<Plugin*> Loader::LoadVerified(OpenFile file) {
  const std::string fd_path = absl::StrCat("/proc/self/fd/", file.fd.get());
  void* handle = ::dlopen(fd_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle != nullptr) file.fd.Release();
  if (handle == nullptr) {
    const char* error = ::dlerror();
    return absl::FailedPreconditionError(absl::StrCat(
        file.path, ": verified, but the dynamic loader could not load it: ",
        error ? error : "unknown error"));
  }
  auto unload = [handle](absl::Status status) {
    ::dlclose(handle);
    return status;
  };
  const std::string symbol = *DescriptorSymbol(file.fingerprint, file.path);
  absl::StatusOr<internal::PluginEntries> entries =
      internal::ReadPluginEntries(handle, symbol, file.path);
  if (!entries.ok()) return unload(entries.status());
  if (entries->init != nullptr) {
    absl::Status init = internal::RunPluginInit(entries->init);
    if (!init.ok()) {
      return unload(absl::FailedPreconditionError(absl::StrCat(
          file.path, ": PRELOAD_PLUGIN_INIT failed, so the plugin was not "
          "registered: ", init.ToString())));
    }
  }
  auto plugin = std::unique_ptr<Plugin>(
      new Plugin(std::move(file.fingerprint), std::move(file.path)));
  for (internal::ExportEntry& entry : entries->exports) {
    plugin->exports_.emplace(std::move(entry.name),
                             Plugin::Export{std::move(entry.type), entry.address});
  }
  Plugin* raw = plugin.get();
  plugins_.push_back(std::move(plugin));
  by_file_.emplace(file.id, raw);
  by_name_.emplace(std::string(raw->name()), raw);
  return raw;
}

std::vector<const Plugin*> Loader::plugins() const {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  std::vector<const Plugin*> result;
  result.reserve(plugins_.size());
  for (const auto& plugin : plugins_) result.push_back(plugin.get());
  return result;
}

absl::StatusOr<void*> Plugin::LookupAddress(std::string_view name,
                                            const std::string& type) const {
  auto it = exports_.find(ToAbsl(name));
  if (it == exports_.end()) {
    std::string known;
    for (const std::string& export_name : ExportNames()) {
      absl::StrAppend(&known, known.empty() ? "" : ", ", export_name);
    }
    return absl::NotFoundError(absl::StrCat(
        "plugin '", ToAbsl(this->name()), "' (", path_, ") exports no '",
        ToAbsl(name), "'; its exports: ", known.empty() ? "none" : known));
  }
  if (it->second.type != type) {
    return absl::InvalidArgumentError(absl::StrCat(
        "plugin '", ToAbsl(this->name()), "' exports '", ToAbsl(name),
        "' as ", it->second.type, ", but it was looked up as ", type));
  }
  return it->second.address;
}

std::vector<std::string> Plugin::ExportNames() const {
  std::vector<std::string> names;
  names.reserve(exports_.size());
  for (const auto& [name, unused] : exports_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace preload
