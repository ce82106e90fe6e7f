// Copyright the PreloadSDK authors.
#include "internal/file_trust.h"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "internal/unique_fd.h"

namespace preload::internal {
namespace {

constexpr char kTurnOff[] =
    "or, for a development tree, turn the check off (PRELOAD_ALLOW_INSECURE=1 "
    "with autoload, LoaderOptions::check_file_trust = false)";

std::string UserName(uid_t uid) {
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[1024];
  if (::getpwuid_r(uid, &entry, buffer, sizeof(buffer), &found) == 0 &&
      found != nullptr) {
    return absl::StrCat("uid ", uid, " (", found->pw_name, ")");
  }
  return absl::StrCat("uid ", uid);
}

std::string Mode(mode_t mode) { return absl::StrFormat("%04o", mode & 07777); }

bool TrustedOwner(uid_t owner) { return owner == 0 || owner == ::geteuid(); }

absl::Status Refuse(const std::string& file, const std::string& what) {
  return absl::PermissionDeniedError(
      absl::StrCat(file, ": refused: ", what, "; ", kTurnOff));
}

absl::Status CheckOwner(const std::string& file, const char* kind,
                        const std::string& path, const struct stat& info) {
  if (TrustedOwner(info.st_uid)) return absl::OkStatus();
  return Refuse(file, absl::StrCat(
      "the ", kind, " ", path, " is owned by ", UserName(info.st_uid),
      ", neither root nor this process's user (", UserName(::geteuid()),
      "), who could replace the plugin: chown it to root or to ",
      UserName(::geteuid())));
}

// `path` is a directory whose entry below is checked separately.
absl::Status CheckDirectory(const std::string& file, const std::string& path,
                            const struct stat& info, std::string& sticky) {
  if (absl::Status owner = CheckOwner(file, "directory", path, info);
      !owner.ok()) {
    return owner;
  }
  const mode_t writable = info.st_mode & (S_IWGRP | S_IWOTH);
  if (writable == 0) return absl::OkStatus();
  if ((info.st_mode & S_ISVTX) != 0) {
    // Sticky: others may add entries but not rename or delete ours; the entry
    // below is checked to be ours or root's.
    absl::StrAppend(&sticky, sticky.empty() ? "" : ", ", path);
    return absl::OkStatus();
  }
  return Refuse(file, absl::StrCat(
      "the directory ", path, " is writable by ",
      (writable & S_IWOTH) ? "others" : "its group", " (mode ",
      Mode(info.st_mode), ", not sticky), so anyone ",
      (writable & S_IWOTH) ? "" : "in the group ",
      "could replace the plugin: chmod go-w ", path));
}

absl::Status CheckFile(const std::string& file, const struct stat& info) {
  if (absl::Status owner = CheckOwner(file, "file", file, info); !owner.ok()) {
    return owner;
  }
  const mode_t writable = info.st_mode & (S_IWGRP | S_IWOTH);
  if (writable == 0) return absl::OkStatus();
  return Refuse(file, absl::StrCat(
      "the file is writable by ", (writable & S_IWOTH) ? "others" : "its group",
      " (mode ", Mode(info.st_mode), "), so its code could be changed by "
      "someone else: chmod go-w ", file));
}

absl::Status CannotCheck(const std::string& file, const std::string& path,
                         int error) {
  return absl::PermissionDeniedError(absl::StrCat(
      file, ": refused: cannot check who may write ", path, ": ",
      std::strerror(error)));
}

}  // namespace

absl::StatusOr<std::string> CheckFileTrust(const std::string& real_path,
                                           const struct stat& file,
                                           bool describe) {
  if (real_path.empty() || real_path.front() != '/') {
    return absl::PermissionDeniedError(absl::StrCat(
        real_path, ": refused: cannot check who may write it: its absolute "
        "path is unknown"));
  }
  std::vector<std::string> parts =
      absl::StrSplit(real_path, '/', absl::SkipEmpty());
  UniqueFd dir(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid()) return CannotCheck(real_path, "/", errno);
  struct stat dir_info {};
  if (::fstat(dir.get(), &dir_info) != 0) return CannotCheck(real_path, "/", errno);
  std::string dir_path = "/";
  std::string sticky;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (absl::Status status = CheckDirectory(real_path, dir_path, dir_info, sticky);
        !status.ok()) {
      return status;
    }
    const std::string entry_path =
        absl::StrCat(dir_path == "/" ? "" : dir_path, "/", parts[i]);
    if (i + 1 == parts.size()) {
      struct stat entry {};
      if (::fstatat(dir.get(), parts[i].c_str(), &entry, AT_SYMLINK_NOFOLLOW) != 0) {
        return CannotCheck(real_path, entry_path, errno);
      }
      if (entry.st_dev != file.st_dev || entry.st_ino != file.st_ino) {
        return absl::PermissionDeniedError(absl::StrCat(
            real_path, ": refused: the file was replaced while it was being "
            "checked"));
      }
      break;
    }
    UniqueFd next(::openat(dir.get(), parts[i].c_str(),
                           O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return CannotCheck(real_path, entry_path, errno);
    if (::fstat(next.get(), &dir_info) != 0) {
      return CannotCheck(real_path, entry_path, errno);
    }
    dir = std::move(next);
    dir_path = entry_path;
  }
  if (absl::Status status = CheckFile(real_path, file); !status.ok()) return status;
  if (!describe) return std::string();
  return absl::StrCat(
      "the file (", UserName(file.st_uid), ", mode ", Mode(file.st_mode),
      ") and its ", parts.size(), " directories are owned by root or ",
      UserName(::geteuid()), " and writable by no one else",
      sticky.empty() ? "" : absl::StrCat(" (sticky, accepted: ", sticky, ")"));
}

}  // namespace preload::internal
