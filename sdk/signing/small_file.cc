// Copyright the PreloadSDK authors.
#include "signing/internal/small_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/internal/errno_status.h"
#include "base/internal/string_view.h"
#include "base/internal/unique_fd.h"

namespace preload::internal {

absl::StatusOr<std::string> ReadSmallFile(std::string_view path,
                                          std::size_t max_bytes) {
  const std::string name(path);
  // O_NONBLOCK: a FIFO does not wait for a writer.
  UniqueFd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) return ErrnoStatus(errno, absl::StrCat(name, ": cannot open"));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return ErrnoStatus(errno, absl::StrCat(name, ": cannot read"));
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": not a regular file"));
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus(errno, absl::StrCat(name, ": cannot read"));
    if (got == 0) break;
    if (text.size() + static_cast<std::size_t>(got) > max_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": larger than ", max_bytes, " bytes, which no such file is"));
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  return text;
}

}  // namespace preload::internal
