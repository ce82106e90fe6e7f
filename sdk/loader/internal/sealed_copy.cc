// Copyright the PreloadSDK authors.
#include "loader/internal/sealed_copy.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/internal/errno_status.h"

namespace preload::internal {
namespace {

// Linux 6.3 lets the administrator make memfds non-executable by default
// (vm.memfd_noexec); MFD_EXEC asks for an executable one. Older kernels reject
// the flag, so it is tried first and dropped on EINVAL.
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

constexpr unsigned kSeals = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;

absl::Status Failure(const std::string& path, const char* what, int error) {
  if (error == EMFILE || error == ENFILE) {
    return ErrnoStatus(error, absl::StrCat(path, ": sealed copy: ", what));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      path, ": sealed copy: ", what, ": ", std::strerror(error)));
}

// Shown in /proc/self/maps as "/memfd:preload:<file name> (deleted)".
std::string MemfdName(const std::string& path) {
  const size_t slash = path.rfind('/');
  std::string name = absl::StrCat(
      "preload:", slash == std::string::npos ? path : path.substr(slash + 1));
  name.resize(std::min<size_t>(name.size(), 200));  // the kernel allows 249
  return name;
}

UniqueFd CreateMemfd(const std::string& name) {
  const unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
  int fd = ::memfd_create(name.c_str(), flags | MFD_EXEC);
  if (fd < 0 && errno == EINVAL) fd = ::memfd_create(name.c_str(), flags);
  return UniqueFd(fd);
}

// Appends everything `source` holds from `offset` on to `target`, by
// read and write: for when sendfile cannot serve this pair of files.
absl::StatusOr<uint64_t> CopyByReading(int source, int target, uint64_t offset,
                                       const std::string& path) {
  char buffer[64 * 1024];
  while (true) {
    const ssize_t got = ::pread(source, buffer, sizeof(buffer),
                                static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Failure(path, "cannot read the plugin", errno);
    if (got == 0) return offset;
    for (ssize_t put = 0; put < got;) {
      const ssize_t wrote = ::write(target, buffer + put, got - put);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote < 0) return Failure(path, "cannot write the copy", errno);
      put += wrote;
    }
    offset += static_cast<uint64_t>(got);
    if (offset > kMaxSealedCopyBytes) return offset;
  }
}

// Copies to the end of the file as it is while being read: a file that
// grows or shrinks meanwhile is copied as read, and what is verified next is
// exactly that copy.
absl::StatusOr<uint64_t> CopyWholeFile(int source, int target,
                                       const std::string& path) {
  off_t offset = 0;
  while (static_cast<uint64_t>(offset) <= kMaxSealedCopyBytes) {
    const ssize_t sent = ::sendfile(target, source, &offset, 1 << 20);
    if (sent > 0) continue;
    if (sent == 0) return static_cast<uint64_t>(offset);
    if (errno == EINTR) continue;
    if (errno == EINVAL || errno == ENOSYS) {
      return CopyByReading(source, target, static_cast<uint64_t>(offset), path);
    }
    return Failure(path, "cannot copy the plugin", errno);
  }
  return static_cast<uint64_t>(offset);
}

}  // namespace

absl::StatusOr<SealedCopy> MakeSealedCopy(int source, const std::string& path) {
  UniqueFd copy = CreateMemfd(MemfdName(path));
  if (!copy.valid()) return Failure(path, "cannot create a memfd", errno);
  absl::StatusOr<uint64_t> size = CopyWholeFile(source, copy.get(), path);
  if (!size.ok()) return size.status();
  if (*size > kMaxSealedCopyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": sealed copy: the file is larger than ", kMaxSealedCopyBytes,
        " bytes; a plugin is far smaller"));
  }
  if (::fcntl(copy.get(), F_ADD_SEALS, kSeals) != 0) {
    return Failure(path, "cannot seal the memfd", errno);
  }
  return SealedCopy{std::move(copy), *size};
}

}  // namespace preload::internal
