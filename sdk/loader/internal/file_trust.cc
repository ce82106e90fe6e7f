// Copyright the PreloadSDK authors.
#include "loader/internal/file_trust.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/internal/string_view.h"

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

// Two system calls: getresuid and getresgid answer for the real and the
// effective ids at once (getuid, geteuid, getgid, getegid took four, and
// geteuid a fifth).
TrustedOwners Owners() {
  uid_t uid = 0, euid = 0, suid = 0;
  gid_t gid = 0, egid = 0, sgid = 0;
  if (::getresuid(&uid, &euid, &suid) != 0) uid = ::getuid(), euid = ::geteuid();
  if (::getresgid(&gid, &egid, &sgid) != 0) gid = ::getgid(), egid = ::getegid();
  const bool secure = ::getauxval(AT_SECURE) != 0 || uid != euid || gid != egid;
  if (!secure || euid != uid) return {secure, euid};
  return {secure, std::nullopt};
}

bool TrustedOwner(const TrustedOwners& owners, uid_t owner) {
  return owner == 0 || (owners.user && owner == *owners.user);
}

// "root or uid 1000 (alice)", or "root" where only root is trusted.
std::string TrustedOwnersText(const TrustedOwners& owners) {
  return owners.user ? absl::StrCat("root or ", UserName(*owners.user)) : "root";
}

absl::Status Refuse(const std::string& file, const std::string& what) {
  return absl::PermissionDeniedError(
      absl::StrCat(file, ": refused: ", what, "; ", kTurnOff));
}

// What is wrong with a file and the directories above it. One walk gathers
// all of it, so that a refusal names every problem at once (a tree made
// under umask 002 has one per level) and the one command that fixes them.
struct Problems {
  // Whose files are trusted besides root's. For the entries of a checked
  // directory, those the directory was checked with (TrustedDirectory). For
  // a check of its own, asked of the kernel once, and only when a file or
  // directory of the walk is not root's: root's are trusted whatever the
  // process's ids are, so a walk over root's tree makes no call for them.
  // Not kept from one check to the next, as the process may change its ids
  // in between.
  Problems() = default;
  explicit Problems(const TrustedOwners& given) : owners_(given) {}
  const TrustedOwners& owners() {
    if (!owners_) owners_ = Owners();
    return *owners_;
  }
  std::vector<std::string> found;
  std::string top_writable;  // the highest directory others may write

  absl::Status ToStatus(const std::string& file) const {
    if (found.empty()) return absl::OkStatus();
    if (found.size() == 1) return Refuse(file, found.front());
    std::string list;
    for (size_t i = 0; i < found.size(); ++i) {
      absl::StrAppend(&list, i == 0 ? "" : "; ", "(", i + 1, ") ", found[i]);
    }
    return Refuse(file, absl::StrCat(
        found.size(), " problems: ", list,
        top_writable.empty() ? "" : "; all at once: chmod -R go-w ",
        top_writable));
  }

 private:
  std::optional<TrustedOwners> owners_;
};

void CheckOwner(Problems& problems, const char* kind, std::string_view path,
                const struct stat& info) {
  if (info.st_uid == 0) return;  // trusted whoever runs the program
  const TrustedOwners& owners = problems.owners();
  if (TrustedOwner(owners, info.st_uid)) return;
  const std::string owned = absl::StrCat(
      "the ", kind, " ", ToAbsl(path), " is owned by ", UserName(info.st_uid));
  if (!owners.secure) {
    problems.found.push_back(absl::StrCat(
        owned, ", neither root nor this process's user (", UserName(*owners.user),
        "), who could replace the plugin: chown it to root or to ",
        UserName(*owners.user)));
    return;
  }
  problems.found.push_back(absl::StrCat(
      owned, ", and this program runs in secure execution (set-user-ID, "
      "set-group-ID or with capabilities), where only files of ",
      TrustedOwnersText(owners), " are trusted, not those of the user who "
      "started it (", UserName(::getuid()), "), who could replace the plugin: "
      "chown it to ", TrustedOwnersText(owners)));
}

// `path` is a directory whose entry below is checked separately.
void CheckDirectory(Problems& problems, std::string_view path,
                    const struct stat& info, std::string& sticky) {
  CheckOwner(problems, "directory", path, info);
  const mode_t writable = info.st_mode & (S_IWGRP | S_IWOTH);
  if (writable == 0) return;
  if ((info.st_mode & S_ISVTX) != 0) {
    // Sticky: others may add entries but not rename or delete ours; the entry
    // below is checked to be ours or root's.
    absl::StrAppend(&sticky, sticky.empty() ? "" : ", ", ToAbsl(path));
    return;
  }
  if (problems.top_writable.empty()) problems.top_writable = std::string(path);
  problems.found.push_back(absl::StrCat(
      "the directory ", ToAbsl(path), " is writable by ",
      (writable & S_IWOTH) ? "others" : "its group", " (mode ",
      Mode(info.st_mode), ", not sticky), so anyone ",
      (writable & S_IWOTH) ? "" : "in the group ",
      "could replace the plugin: chmod go-w ", ToAbsl(path)));
}

void CheckFile(Problems& problems, const std::string& file,
               const struct stat& info) {
  CheckOwner(problems, "file", file, info);
  const mode_t writable = info.st_mode & (S_IWGRP | S_IWOTH);
  if (writable == 0) return;
  problems.found.push_back(absl::StrCat(
      "the file is writable by ", (writable & S_IWOTH) ? "others" : "its group",
      " (mode ", Mode(info.st_mode), "), so its code could be changed by "
      "someone else: chmod go-w ", file));
}

absl::Status CannotCheck(const std::string& file, std::string_view path,
                         int error) {
  return absl::PermissionDeniedError(absl::StrCat(
      file, ": refused: cannot check who may write ", ToAbsl(path), ": ",
      std::strerror(error)));
}

absl::Status Replaced(const std::string& file) {
  return absl::PermissionDeniedError(absl::StrCat(
      file, ": refused: the file was replaced while it was being checked"));
}

// Absolute, without "." or ".." components or doubled slashes: if no
// component is a symlink, such a path is the real path.
bool IsPlainAbsolute(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  for (size_t start = 1; start <= path.size();) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

struct Walk {
  bool met_symlink = false;  // `path` was not the real path
  size_t directories = 0;
  std::string sticky;  // sticky directories accepted, for the description
  Problems problems;   // of the directories walked
};

// lstat of `path`'s first `length` characters, without copying them.
int LstatPrefix(std::string& path, size_t length, struct stat& info) {
  if (length == path.size()) return ::lstat(path.c_str(), &info);
  const char saved = path[length];
  path[length] = '\0';
  const int result = ::lstat(path.c_str(), &info);
  path[length] = saved;
  return result;
}

// Checks "/" and every directory on the absolute `path`, then that its last
// component is the open file. A symlink met on the way ends the walk with
// met_symlink set.
absl::StatusOr<Walk> WalkPath(std::string path, const struct stat& file) {
  Walk walk;
  struct stat info {};
  if (::lstat("/", &info) != 0) return CannotCheck(path, "/", errno);
  std::string_view directory = "/";
  for (size_t end = 0; true;) {
    CheckDirectory(walk.problems, directory, info, walk.sticky);
    ++walk.directories;
    end = std::min(path.find('/', end + 1), path.size());
    const std::string_view entry = std::string_view(path).substr(0, end);
    if (LstatPrefix(path, end, info) != 0) return CannotCheck(path, entry, errno);
    if (S_ISLNK(info.st_mode)) {
      walk.met_symlink = true;
      return walk;
    }
    if (end == path.size()) {
      if (info.st_dev != file.st_dev || info.st_ino != file.st_ino) return Replaced(path);
      return walk;
    }
    if (!S_ISDIR(info.st_mode)) return CannotCheck(path, entry, ENOTDIR);
    directory = entry;
  }
}

// The walk of "/" itself, which has no component to walk: only the open
// directory's identity is left to check.
absl::StatusOr<Walk> WalkRoot(const struct stat& directory) {
  struct stat info {};
  if (::lstat("/", &info) != 0) return CannotCheck("/", "/", errno);
  if (info.st_dev != directory.st_dev || info.st_ino != directory.st_ino) {
    return Replaced("/");
  }
  return Walk{};
}

// Walks the real path of what is open on `fd` (named `path`, `end` its
// fstat) and sets `real_path`. The common case costs one lstat per component
// and no readlink. On any doubt the real path is asked of the kernel and
// walked, and only its verdict counts.
absl::StatusOr<Walk> WalkRealPath(const std::string& path, int fd,
                                  const struct stat& end, std::string& real_path) {
  real_path.clear();
  absl::StatusOr<Walk> walk = absl::UnknownError("not walked");
  if (IsPlainAbsolute(path)) {
    walk = WalkPath(path, end);
    if (walk.ok() && !walk->met_symlink) {
      real_path = path;
      return walk;
    }
  }
  real_path = RealPathOfDescriptor(fd, path);
  if (real_path == "/" && S_ISDIR(end.st_mode)) return WalkRoot(end);
  if (!IsPlainAbsolute(real_path)) {
    return absl::PermissionDeniedError(absl::StrCat(
        real_path, ": refused: cannot check who may write it: its "
        "absolute path is unknown"));
  }
  walk = WalkPath(real_path, end);
  if (!walk.ok()) return walk.status();
  if (walk->met_symlink) return Replaced(real_path);
  return walk;
}

std::string Describe(const struct stat& file, size_t directories,
                     const std::string& sticky) {
  return absl::StrCat(
      "the file (", UserName(file.st_uid), ", mode ", Mode(file.st_mode),
      ") and its ", directories, " directories are owned by ",
      TrustedOwnersText(Owners()), " and writable by no one else",
      sticky.empty() ? "" : absl::StrCat(" (sticky, accepted: ", sticky, ")"));
}

}  // namespace

std::string RealPathOfDescriptor(int fd, std::string_view path) {
  const std::string link = absl::StrCat("/proc/self/fd/", fd);
  char target[PATH_MAX];
  const ssize_t length = ::readlink(link.c_str(), target, sizeof(target) - 1);
  if (length > 0 && target[0] == '/') {
    std::string real(target, static_cast<size_t>(length));
    if (!absl::EndsWith(real, " (deleted)")) return real;
  }
  const std::string name(path);
  char resolved[PATH_MAX];
  if (::realpath(name.c_str(), resolved) == nullptr) return name;
  return resolved;
}

absl::StatusOr<TrustedFile> CheckFileTrust(const std::string& path, int fd,
                                           const struct stat& file,
                                           bool describe) {
  TrustedFile trusted;
  absl::StatusOr<Walk> walk = WalkRealPath(path, fd, file, trusted.real_path);
  if (!walk.ok()) return walk.status();
  CheckFile(walk->problems, trusted.real_path, file);
  if (absl::Status status = walk->problems.ToStatus(trusted.real_path);
      !status.ok()) {
    return status;
  }
  if (describe) trusted.description = Describe(file, walk->directories, walk->sticky);
  return trusted;
}

absl::StatusOr<TrustedDirectory> CheckDirectoryTrust(const std::string& path,
                                                     int fd,
                                                     const struct stat& directory) {
  TrustedDirectory trusted;
  absl::StatusOr<Walk> walk =
      WalkRealPath(path, fd, directory, trusted.real_path);
  if (!walk.ok()) return walk.status();
  // The walk checked the directories above; the directory itself is the
  // last directory above each of its entries.
  CheckDirectory(walk->problems, trusted.real_path, directory, walk->sticky);
  if (absl::Status status = walk->problems.ToStatus(trusted.real_path);
      !status.ok()) {
    return status;
  }
  trusted.directories = walk->directories + 1;
  trusted.sticky = std::move(walk->sticky);
  trusted.owners = walk->problems.owners();
  return trusted;
}

absl::StatusOr<TrustedFile> CheckEntryTrust(const TrustedDirectory& directory,
                                            std::string_view name,
                                            const struct stat& file,
                                            bool describe) {
  TrustedFile trusted;
  trusted.real_path = absl::StrCat(
      directory.real_path, directory.real_path == "/" ? "" : "/", ToAbsl(name));
  Problems problems(directory.owners);
  CheckFile(problems, trusted.real_path, file);
  if (absl::Status status = problems.ToStatus(trusted.real_path); !status.ok()) {
    return status;
  }
  if (describe) {
    trusted.description = Describe(file, directory.directories, directory.sticky);
  }
  return trusted;
}

}  // namespace preload::internal
