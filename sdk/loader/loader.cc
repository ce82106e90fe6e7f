// Copyright the PreloadSDK authors.
#include "preload/loader.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "loader/internal/file_trust.h"
#include "loader/internal/origin_dependencies.h"
#include "loader/internal/checked_directory.h"
#include "loader/internal/plugin_entries.h"
#include "loader/internal/process_registry.h"
#include "loader/internal/sealed_copy.h"
#include "loader/internal/search_path.h"
#include "base/internal/errno_status.h"
#include "base/internal/string_view.h"
#include "loader/internal/trace.h"
#include "base/internal/unique_fd.h"
#include "preload/cpu.h"
#include "preload/elf_notes.h"
#include "preload/plugin_abi.h"

namespace preload {

using internal::ToAbsl;
using internal::TraceCategory;
using internal::UniqueFd;

class Loader::Trace : public internal::Tracer {
 public:
  using Tracer::Tracer;
};

struct Loader::OpenFile {
  UniqueFd fd;  // the plugin file, or its sealed copy
  // Symlinks resolved; as given only by Verify with the trust check off,
  // which has no use for the real path.
  std::string path;
  std::pair<uint64_t, uint64_t> id;  // device, inode
  std::optional<Fingerprint> fingerprint;  // set once read and verified
  struct stat verified {};  // the file as it was when its note was read
  bool sealed = false;  // `fd` is a sealed copy: nothing can change it
  uint64_t size = 0;  // of what `fd` holds

  // Takes the regular file just opened, `verified` being its fstat.
  void Take(UniqueFd opened) {
    fd = std::move(opened);
    id = {static_cast<uint64_t>(verified.st_dev),
          static_cast<uint64_t>(verified.st_ino)};
    size = static_cast<uint64_t>(verified.st_size);
  }
};

namespace {

// The running executable's own note, if it has one (target_preload_host).
// Read and parsed once per process: it cannot change, and copies share it.
const std::optional<Fingerprint>& ExecutableFingerprint() {
  static const auto* const own = [] {
    for (const ElfNote& note : FindNotesOfThisProgram(kNoteOwner, kNoteType)) {
      absl::StatusOr<Fingerprint> parsed = Fingerprint::Parse(note.desc);
      if (parsed.ok()) return new std::optional<Fingerprint>(*std::move(parsed));
    }
    return new std::optional<Fingerprint>();
  }();
  return *own;
}

absl::Status OpenError(std::string_view path, int error) {
  return internal::ErrnoStatus(error, absl::StrCat(ToAbsl(path), ": cannot open"));
}

// Without waiting for a FIFO's writer (O_NONBLOCK).
constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

// Refuses anything but a regular file open on `fd` (named `path`).
absl::StatusOr<UniqueFd> RegularFile(UniqueFd fd, std::string_view path,
                                     struct stat& info) {
  if (::fstat(fd.get(), &info) != 0) return OpenError(path, errno);
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(path), ": not a regular file; a plugin is a .so file"));
  }
  return fd;
}

absl::StatusOr<UniqueFd> OpenRegularFile(std::string_view path,
                                         struct stat& info) {
  const std::string name(path);
  UniqueFd fd(::open(name.c_str(), kOpenFlags));
  if (!fd.valid()) return OpenError(path, errno);
  return RegularFile(std::move(fd), path, info);
}

std::string FieldValue(bool present, const std::string& value) {
  return present ? absl::StrCat("\"", value, "\"") : "(absent)";
}

// The first line of a status message, for one-line traces.
std::string FirstLine(const absl::Status& status) {
  const std::string message(status.message());
  return message.substr(0, message.find('\n'));
}

absl::StatusOr<Fingerprint> ReadPluginFingerprint(int fd, uint64_t size,
                                                  std::string_view path) {
  absl::StatusOr<std::vector<ElfNote>> notes =
      FindElfNotes(fd, size, path, kNoteOwner, kNoteType);
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

bool SameTime(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// Has the file open on `fd` been written to since `then` was taken? Its size
// and modification time tell. Not its change time: that also moves when the
// file is renamed over, which leaves its bytes alone. Since Linux 6.13
// (multigrain timestamps) a write after our fstat always moves the time; an
// older kernel may miss a rewrite of the same size within one clock tick, and
// whoever may write the file may also set its time back; sealed copies
// depend on neither (docs/security.md).
absl::Status CheckStillAs(int fd, const struct stat& then,
                          const std::string& path, std::string_view what,
                          std::string_view consequence) {
  struct stat now {};
  if (::fstat(fd, &now) != 0) return OpenError(path, errno);
  if (now.st_size == then.st_size && SameTime(now.st_mtim, then.st_mtim)) {
    return absl::OkStatus();
  }
  return absl::AbortedError(absl::StrCat(
      path, ": ", ToAbsl(what), " (",
      now.st_size == then.st_size
          ? "written to"
          : absl::StrCat("size ", then.st_size, " -> ", now.st_size),
      "), ", ToAbsl(consequence), "; was it being reinstalled? Install "
      "plugins by renaming a complete file into place, and open it again"));
}

}  // namespace

std::vector<std::string> DefaultPluginDirectories() {
  std::vector<std::string> dirs;
  for (internal::SearchDirectory& dir : internal::MakeSearchPath({}, true)) {
    dirs.push_back(std::move(dir.path));
  }
  return dirs;
}

Loader::Loader(LoaderOptions options)
    : policy_(options.policy),
      host_source_(HostSource::kOption),
      // Sets host_source_, declared (so initialised) before host_.
      host_([this, &options] {
        if (options.host_fingerprint) return *std::move(options.host_fingerprint);
        if (const std::optional<Fingerprint>& own = ExecutableFingerprint()) {
          host_source_ = HostSource::kExecutable;
          return *own;
        }
        host_source_ = HostSource::kSdk;
        return SdkFingerprint();
      }()),
      name_(std::move(options.name)),
      check_file_trust_(options.check_file_trust),
      sealed_copy_(options.sealed_copy),
      search_path_(std::move(options.search_path)),
      default_search_path_(options.default_search_path),
      trace_(std::make_shared<const Trace>(std::move(options.trace))) {
  if (trace_->enabled(TraceCategory::kVerify)) {  // DescribeHost() builds text
    trace_->Line(TraceCategory::kVerify, "loader '", name_, "': policy ",
                 ToAbsl(PolicyName(policy_)), ", plugins are compared with ",
                 DescribeHost());
  }
}

// Plugins stay mapped; only their entries in the process's list go.
Loader::~Loader() { internal::UnregisterLoader(this); }

std::string Loader::DescribeHost() const {
  const std::string identity = absl::StrCat(
      ToAbsl(host_.kind()), " ", ToAbsl(host_.name()),
      host_.version().empty() ? "" : " ", ToAbsl(host_.version()));
  switch (host_source_) {
    case HostSource::kOption:
      return absl::StrCat("the fingerprint given in LoaderOptions (", identity, ")");
    case HostSource::kExecutable:
      return absl::StrCat("the host's own fingerprint note (", identity, ")");
    case HostSource::kSdk:
      break;
  }
  return absl::StrCat(
      "the SDK's own fingerprint (", identity, "): the host has no fingerprint "
      "note of its own, so the SDK's is used; give the host one with "
      "target_preload_host");
}

absl::StatusOr<std::string> Loader::Resolve(std::string_view name_or_path) const {
  static const auto* const kNone = new std::vector<internal::SearchDirectory>;
  if (!internal::IsBareName(name_or_path)) {  // a path is not searched
    return internal::ResolvePlugin(name_or_path, *kNone, *trace_);
  }
  std::call_once(search_dirs_once_, [this] {
    search_dirs_ = std::make_unique<const std::vector<internal::SearchDirectory>>(
        internal::MakeSearchPath(search_path_, default_search_path_));
  });
  return internal::ResolvePlugin(name_or_path, *search_dirs_, *trace_);
}

absl::Status Loader::VerifyFingerprint(const Fingerprint& plugin,
                                       const std::string& path) const {
  const Verdict verdict = Compare(host_, plugin, policy_);
  if (trace_->enabled(TraceCategory::kVerify)) {
    trace_->Line(TraceCategory::kVerify, path, ": plugin ",
                 ToAbsl(plugin.name()), " ", ToAbsl(plugin.version()),
                 ", compared under the ", ToAbsl(PolicyName(policy_)),
                 " policy with ", DescribeHost());
    int counts[4] = {0, 0, 0, 0};
    for (const FieldComparison& field : verdict.comparisons()) {
      ++counts[static_cast<int>(field.outcome)];
      trace_->Line(TraceCategory::kVerify, "  ", field.field, ": ",
                   ToAbsl(OutcomeName(field.outcome)), " (plugin ",
                   FieldValue(field.plugin_present, field.plugin_value),
                   ", host ", FieldValue(field.host_present, field.host_value),
                   ")", field.hint.empty() ? "" : "; ", field.hint);
    }
    trace_->Line(TraceCategory::kVerify, path, ": fingerprint ",
                 verdict.accepted() ? "accepted" : "refused", " (",
                 counts[static_cast<int>(Outcome::kEqual)], " equal, ",
                 counts[static_cast<int>(Outcome::kAllowed)], " allowed, ",
                 counts[static_cast<int>(Outcome::kRefused)], " refused, ",
                 counts[static_cast<int>(Outcome::kInformational)],
                 " informational)");
  }
  return verdict.ToStatus(path);
}

// Opens the file `path` names and checks who may have written it. The real
// path, which the trust check finds on its way, is otherwise only asked of
// the kernel for a file to be loaded.
absl::StatusOr<Loader::OpenFile> Loader::OpenTrusted(const std::string& path,
                                                     bool to_load) const {
  OpenFile file;
  absl::StatusOr<UniqueFd> fd = OpenRegularFile(path, file.verified);
  if (!fd.ok()) return fd.status();
  file.Take(*std::move(fd));
  if (!check_file_trust_) {
    trace_->Line(TraceCategory::kVerify, path,
                 ": file trust: not checked (turned off for this loader)");
    file.path = to_load ? internal::RealPathOfDescriptor(file.fd.get(), path) : path;
    return file;
  }
  absl::StatusOr<internal::TrustedFile> trusted = internal::CheckFileTrust(
      path, file.fd.get(), file.verified, trace_->enabled(TraceCategory::kVerify));
  if (!trusted.ok()) return trusted.status();
  trace_->Line(TraceCategory::kVerify, path,
               ": file trust: ", trusted->description);
  file.path = std::move(trusted->real_path);
  return file;
}

// Replaces the file by a sealed copy of it, which is then verified and mapped.
absl::Status Loader::SealCopy(OpenFile& file) const {
  absl::StatusOr<internal::SealedCopy> copy =
      internal::MakeSealedCopy(file.fd.get(), file.path);
  if (!copy.ok()) return copy.status();
  // A copy taken while the file was being written could mix two versions.
  if (absl::Status unchanged =
          CheckStillAs(file.fd.get(), file.verified, file.path,
                       "changed while it was being copied", "so the copy was dropped");
      !unchanged.ok()) {
    return unchanged;
  }
  trace_->Line(TraceCategory::kVerify, file.path, ": sealed copy: ", copy->size,
               " bytes copied into a sealed "
               "memfd; the copy is what is verified and mapped");
  file.fd = std::move(copy->fd);
  file.size = copy->size;
  file.sealed = true;
  return absl::OkStatus();
}

// Without a sealed copy the plugin's code is mapped from the file itself: a
// file written to since its note was read is refused rather than mapped.
absl::Status Loader::CheckUnchanged(const OpenFile& file) const {
  if (file.sealed) return absl::OkStatus();
  return CheckStillAs(file.fd.get(), file.verified, file.path,
                      "changed after it was verified", "so it was not mapped");
}

// The entry of a checked directory that `path` names, opened relative to the
// directory's descriptor: the trust walk above the file was made once for
// the directory. Anything that would leave the directory (a symlink: ELOOP
// under O_NOFOLLOW) or fail there, and every entry of a directory that was
// refused, is opened the whole way by its path, which gives Verify's own
// verdict and words.
absl::StatusOr<Loader::OpenFile> Loader::OpenEntry(
    const internal::CheckedDirectory& directory, const std::string& path) const {
  const std::string_view name = std::string_view(path).substr(directory.prefix.size());
  if (!internal::IsEntryName(name) || (check_file_trust_ && !directory.trusted)) {
    return OpenTrusted(path, /*to_load=*/false);
  }
  UniqueFd opened(::openat(directory.fd.get(), name.data(), kOpenFlags | O_NOFOLLOW));
  if (!opened.valid()) return OpenTrusted(path, /*to_load=*/false);
  OpenFile file;
  absl::StatusOr<UniqueFd> fd = RegularFile(std::move(opened), path, file.verified);
  if (!fd.ok()) return fd.status();
  file.Take(*std::move(fd));
  if (!check_file_trust_) {
    trace_->Line(TraceCategory::kVerify, path,
                 ": file trust: not checked (turned off for this loader)");
    file.path = path;
    return file;
  }
  absl::StatusOr<internal::TrustedFile> trusted = internal::CheckEntryTrust(
      *directory.trusted, name, file.verified,
      trace_->enabled(TraceCategory::kVerify));
  if (!trusted.ok()) return trusted.status();
  trace_->Line(TraceCategory::kVerify, path,
               ": file trust: ", trusted->description);
  file.path = std::move(trusted->real_path);
  return file;
}

absl::StatusOr<Loader::OpenFile> Loader::OpenAndVerify(
    std::string_view spec, bool to_load,
    const internal::CheckedDirectory* in) const {
  absl::StatusOr<std::string> resolved = Resolve(spec);
  if (!resolved.ok()) return resolved.status();
  const std::string& path = *resolved;
  auto refused = [this, &path](absl::Status status) {
    trace_->Line(TraceCategory::kVerify, path,
                 ": not accepted: ", FirstLine(status));
    return status;
  };
  absl::StatusOr<OpenFile> file =
      in == nullptr ? OpenTrusted(path, to_load) : OpenEntry(*in, path);
  if (!file.ok()) return refused(file.status());
  if (to_load && sealed_copy_) {
    if (absl::Status sealed = SealCopy(*file); !sealed.ok()) return refused(sealed);
  }
  absl::StatusOr<Fingerprint> fingerprint =
      ReadPluginFingerprint(file->fd.get(), file->size, path);
  if (!fingerprint.ok()) return refused(fingerprint.status());
  if (absl::Status verdict = VerifyFingerprint(*fingerprint, path); !verdict.ok()) {
    return verdict;
  }
  // The plugin against the machine, whatever the host was built for.
  if (absl::Status cpu = CheckCpu(*fingerprint, path); !cpu.ok()) {
    return refused(cpu);
  }
  if (absl::StatusOr<std::string> symbol = DescriptorSymbol(*fingerprint, path);
      !symbol.ok()) {
    return refused(symbol.status());
  }
  file->fingerprint = *std::move(fingerprint);
  return file;
}

absl::StatusOr<Fingerprint> Loader::Verify(std::string_view path) const {
  absl::StatusOr<OpenFile> file = OpenAndVerify(path, /*to_load=*/false);
  if (!file.ok()) return file.status();
  return *std::move(file->fingerprint);
}

absl::StatusOr<Plugin*> Loader::Open(std::string_view path) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  absl::StatusOr<OpenFile> file = OpenAndVerify(path, /*to_load=*/true);
  if (!file.ok()) return file.status();
  if (auto it = by_file_.find(file->id); it != by_file_.end()) {
    trace_->Line(TraceCategory::kLoad, file->path,
                 ": already loaded as plugin '", ToAbsl(it->second->name()),
                 "' (the same file, by device and inode): not loaded again");
    return it->second;
  }
  const std::string name(file->fingerprint->name());
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    trace_->Line(TraceCategory::kLoad, file->path,
                 ": not loaded: a plugin named '", name,
                 "' is already loaded from ", it->second->path());
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
// plugins are never unloaded. A plugin refused after dlopen (no export
// descriptor, a failed init) is closed again, and so is its descriptor once
// glibc no longer knows the name.
absl::StatusOr<Plugin*> Loader::LoadVerified(OpenFile file) {
  // Through /proc/self/fd the plugin's $ORIGIN is lost; load what it finds
  // through $ORIGIN first, from its real directory.
  if (absl::Status dependencies = internal::LoadOriginDependencies(
          file.fd.get(), file.size, file.path, file.path);
      !dependencies.ok()) {
    trace_->Line(TraceCategory::kLoad, FirstLine(dependencies));
    return dependencies;
  }
  const std::string fd_path = absl::StrCat("/proc/self/fd/", file.fd.get());
  trace_->Line(TraceCategory::kLoad, file.path, ": mapping the verified ",
               file.sealed ? "sealed copy" : "descriptor", " through ", fd_path,
               " (device ", file.id.first, ", inode ", file.id.second, ")");
  if (absl::Status unchanged = CheckUnchanged(file); !unchanged.ok()) {
    trace_->Line(TraceCategory::kLoad, FirstLine(unchanged));
    return unchanged;
  }
  void* handle = ::dlopen(fd_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    absl::Status status = absl::FailedPreconditionError(absl::StrCat(
        file.path, ": verified, but the dynamic loader could not load it: ",
        error ? error : "unknown error"));
    trace_->Line(TraceCategory::kLoad, FirstLine(status));
    return status;
  }
  auto unload = [this, handle, &file, &fd_path](absl::Status status) {
    trace_->Line(TraceCategory::kLoad, FirstLine(status));
    ::dlclose(handle);
    // A library dlclose could not unload (it may be marked NODELETE) keeps
    // its name, so it keeps its descriptor; otherwise a host that retries
    // would run out of descriptors.
    if (void* still = ::dlopen(fd_path.c_str(), RTLD_LAZY | RTLD_NOLOAD)) {
      ::dlclose(still);
      file.fd.Release();
    }
    return status;
  };
  const std::string symbol = *DescriptorSymbol(*file.fingerprint, file.path);
  absl::StatusOr<internal::PluginEntries> entries =
      internal::ReadPluginEntries(handle, symbol, file.path);
  if (!entries.ok()) return unload(entries.status());
  if (entries->init != nullptr) {
    trace_->Line(TraceCategory::kLoad, file.path,
                 ": running PRELOAD_PLUGIN_INIT");
    absl::Status init = internal::RunPluginInit(entries->init);
    if (!init.ok()) {
      return unload(absl::FailedPreconditionError(absl::StrCat(
          file.path, ": PRELOAD_PLUGIN_INIT failed, so the plugin was not "
          "registered: ", init.ToString())));
    }
  }
  auto plugin = std::unique_ptr<Plugin>(
      new Plugin(*std::move(file.fingerprint), std::move(file.path)));
  for (internal::ExportEntry& entry : entries->exports) {
    plugin->exports_.emplace(std::move(entry.name),
                             Plugin::Export{internal::TypeOf(entry), entry.address});
  }
  Plugin* raw = plugin.get();
  plugins_.push_back(std::move(plugin));
  by_file_.emplace(file.id, raw);
  by_name_.emplace(std::string(raw->name()), raw);
  Register(*raw);
  file.fd.Release();  // dlopen knows it by its number now: see above
  if (trace_->enabled(TraceCategory::kLoad)) {
    std::string exports;
    for (const std::string& name : raw->ExportNames()) {
      absl::StrAppend(&exports, exports.empty() ? "" : ", ", name);
    }
    trace_->Line(TraceCategory::kLoad, raw->path(), ": loaded plugin '",
                 ToAbsl(raw->name()), "' ",
                 ToAbsl(raw->fingerprint().version()), " into loader '", name_,
                 "'; exports: ", exports.empty() ? "none" : exports);
  }
  return raw;
}

void Loader::Register(const Plugin& plugin) {
  if (registry_host_ == nullptr) {
    registry_host_ = std::make_shared<const internal::RegistryHost>(
        internal::RegistryHost{name_, policy_, host_});
  }
  internal::RegisterPlugin(this, registry_host_, plugin.path(),
                           plugin.fingerprint());
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

PluginDirectory::PluginDirectory(
    const Loader& loader, std::unique_ptr<internal::CheckedDirectory> directory)
    : loader_(&loader), directory_(std::move(directory)) {}
PluginDirectory::PluginDirectory(PluginDirectory&&) noexcept = default;
PluginDirectory& PluginDirectory::operator=(PluginDirectory&&) noexcept = default;
PluginDirectory::~PluginDirectory() = default;

const std::string& PluginDirectory::path() const { return directory_->path; }

absl::StatusOr<Fingerprint> PluginDirectory::Verify(std::string_view name) const {
  absl::StatusOr<Loader::OpenFile> file = loader_->OpenAndVerify(
      internal::EntryPath(*directory_, name), /*to_load=*/false, directory_.get());
  if (!file.ok()) return file.status();
  return *std::move(file->fingerprint);
}

absl::StatusOr<PluginDirectory> Loader::OpenDirectory(std::string_view dir) const {
  const bool tracing = trace_->enabled(TraceCategory::kVerify);
  absl::StatusOr<internal::CheckedDirectory> directory =
      internal::OpenCheckedDirectory(dir, check_file_trust_, tracing);
  if (!directory.ok()) {
    trace_->Line(TraceCategory::kVerify, FirstLine(directory.status()));
    return directory.status();
  }
  trace_->Line(TraceCategory::kVerify, ToAbsl(dir), ": directory trust: ",
               check_file_trust_ ? directory->verdict
                                 : "not checked (turned off for this loader)");
  return PluginDirectory(
      *this, std::make_unique<internal::CheckedDirectory>(*std::move(directory)));
}

absl::Status Loader::VerifyDirectory(std::string_view dir,
                                     const DirectoryVisitor& visit) const {
  absl::StatusOr<PluginDirectory> directory = OpenDirectory(dir);
  if (!directory.ok()) return directory.status();
  return internal::ForEachPluginFile(
      directory->directory_->fd.get(), dir,
      [&](std::string_view name) { visit(name, directory->Verify(name)); });
}

}  // namespace preload
