// Copyright the PreloadSDK authors.
#include "cli/internal/write_access.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "base/internal/unique_fd.h"
#include "elf/internal/library_search.h"
#include "loader/internal/file_trust.h"

namespace preload::cli {
namespace {

// The loader's refusal is "<file>: refused: <why>; or, for a development
// tree, turn the check off (...)": the tool keeps the why, and speaks of
// what it checks rather than of a plugin.
std::string Reason(const absl::Status& status) {
  std::string message(status.message());
  if (const size_t at = message.find(": refused: "); at != std::string::npos) {
    message.erase(0, at + std::strlen(": refused: "));
  }
  if (const size_t at = message.find("; or, for a development tree");
      at != std::string::npos) {
    message.erase(at);
  }
  return absl::StrReplaceAll(message, {{"replace the plugin", "replace it"},
                                       {"its code could be changed",
                                        "it could be changed"}});
}

std::string CannotOpen(const std::string& path) {
  return absl::StrCat("cannot check who may write ", path, ": ",
                      std::strerror(errno));
}

// Whether others may create entries in the existing directory `info`
// describes: the sticky bit does not stop that.
std::optional<std::string> OthersMayCreateIn(const std::string& path,
                                             const struct stat& info) {
  const mode_t writable = info.st_mode & (S_IWGRP | S_IWOTH);
  if (writable == 0) return std::nullopt;
  return absl::StrFormat(
      "it does not exist, and %s (mode %04o) lets %s create it", path,
      info.st_mode & 07777, (writable & S_IWOTH) ? "anyone" : "its group");
}

std::string ExpandOrigin(const std::string& entry, const std::string& origin) {
  return absl::StrReplaceAll(entry, {{"${ORIGIN}", origin}, {"$ORIGIN", origin}});
}

void CheckList(const std::optional<std::string>& list, const char* name,
               const std::string& origin,
               std::vector<UnsafeSearchEntry>& unsafe) {
  if (!list) return;
  for (const std::string& entry : internal::SplitLibraryPath(*list)) {
    const std::string path = ExpandOrigin(entry, origin);
    std::string reason;
    if (path.find('$') != std::string::npos) continue;  // $LIB, $PLATFORM
    if (path.empty() || path.front() != '/') {
      reason = "a relative entry: ld.so resolves it against the working "
               "directory of whatever process loads the file";
    } else {
      reason = WhoElseCouldWriteDirectory(path);
    }
    if (!reason.empty()) unsafe.push_back({name, entry, path, reason});
  }
}

}  // namespace

std::string WhoElseCouldWriteFile(const std::string& path) {
  internal::UniqueFd fd(
      ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  struct stat info {};
  if (!fd.valid() || ::fstat(fd.get(), &info) != 0) return CannotOpen(path);
  absl::StatusOr<internal::TrustedFile> trusted =
      internal::CheckFileTrust(path, fd.get(), info, /*describe=*/false);
  return trusted.ok() ? "" : Reason(trusted.status());
}

std::string WhoElseCouldWriteDirectory(const std::string& path) {
  std::string existing = path;
  internal::UniqueFd fd;
  while (true) {
    fd = internal::UniqueFd(
        ::open(existing.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (fd.valid() || errno != ENOENT || existing == "/") break;
    existing = internal::DirectoryOf(existing);
  }
  struct stat info {};
  if (!fd.valid() || ::fstat(fd.get(), &info) != 0) return CannotOpen(existing);
  if (existing != path) {
    if (std::optional<std::string> create = OthersMayCreateIn(existing, info)) {
      return *create;
    }
  }
  absl::StatusOr<internal::TrustedDirectory> trusted =
      internal::CheckDirectoryTrust(existing, fd.get(), info);
  if (trusted.ok()) return "";
  return existing == path
             ? Reason(trusted.status())
             : absl::StrCat("it does not exist, and ", Reason(trusted.status()));
}

std::vector<UnsafeSearchEntry> UnsafeSearchEntries(const ElfDynamic& dynamic,
                                                   const std::string& origin) {
  std::vector<UnsafeSearchEntry> unsafe;
  CheckList(dynamic.runpath, "runpath", origin, unsafe);
  CheckList(dynamic.rpath, "rpath", origin, unsafe);
  return unsafe;
}

}  // namespace preload::cli
