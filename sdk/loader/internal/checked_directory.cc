// Copyright the PreloadSDK authors.
#include "loader/internal/checked_directory.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/errno_status.h"
#include "base/internal/string_view.h"

namespace preload::internal {
namespace {

absl::Status DirectoryError(std::string_view path, std::string_view what,
                            int error) {
  return ErrnoStatus(error, absl::StrCat(ToAbsl(path), ": cannot ", ToAbsl(what),
                                         " the directory"));
}

// Closes the stream, and with it its own descriptor, on every return.
struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

}  // namespace

absl::StatusOr<CheckedDirectory> OpenCheckedDirectory(std::string_view path,
                                                      bool check_trust,
                                                      bool describe) {
  CheckedDirectory directory;
  directory.path = std::string(path);
  directory.prefix = directory.path;
  if (directory.prefix.empty() || directory.prefix.back() != '/') {
    directory.prefix.push_back('/');
  }
  directory.fd.Reset(::open(directory.path.c_str(),
                            O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!directory.fd.valid()) return DirectoryError(path, "open", errno);
  if (!check_trust) return directory;
  struct stat info {};
  if (::fstat(directory.fd.get(), &info) != 0) {
    return DirectoryError(path, "open", errno);
  }
  absl::StatusOr<TrustedDirectory> trusted =
      CheckDirectoryTrust(directory.path, directory.fd.get(), info);
  if (!trusted.ok()) {
    directory.verdict = absl::StrCat(
        "not trusted, so each entry is checked the whole way: ",
        trusted.status().message());
    return directory;
  }
  if (describe) {
    directory.verdict = absl::StrCat(
        "checked once for its entries: it and its ", trusted->directories - 1,
        " directories above are owned by root or this process's user and "
        "writable by no one else",
        trusted->sticky.empty() ? "" : absl::StrCat(" (sticky, accepted: ",
                                                    trusted->sticky, ")"));
  }
  directory.trusted = *std::move(trusted);
  return directory;
}

std::string EntryPath(const CheckedDirectory& directory, std::string_view name) {
  return absl::StrCat(directory.prefix, ToAbsl(name));
}

bool IsEntryName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

bool IsPluginFileName(std::string_view name) {
  return name.size() > 3 && name.substr(name.size() - 3) == ".so";
}

absl::Status ForEachPluginFile(int fd, std::string_view path,
                               absl::FunctionRef<void(std::string_view)> visit) {
  // A descriptor of its own, so each scan starts at the first entry.
  const int own = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (own < 0) return DirectoryError(path, "read", errno);
  std::unique_ptr<DIR, DirCloser> stream(::fdopendir(own));
  if (stream == nullptr) {
    const int error = errno;
    ::close(own);
    return DirectoryError(path, "read", error);
  }
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(stream.get());
    if (entry == nullptr) break;
    const std::string_view name(entry->d_name);
    if (IsPluginFileName(name)) visit(name);
  }
  if (errno != 0) return DirectoryError(path, "read", errno);
  return absl::OkStatus();
}

}  // namespace preload::internal
