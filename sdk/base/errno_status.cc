// Copyright the PreloadSDK authors.
#include "base/internal/errno_status.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"

namespace preload::internal {

namespace {

// The process's limit on descriptors, for messages; 0 if unknown.
rlim_t DescriptorLimit() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  return limit.rlim_cur;
}

}  // namespace

absl::Status DescriptorsExhausted(std::string_view what, std::string_view why) {
  return absl::ResourceExhaustedError(absl::StrCat(
      ToAbsl(what), ": ", ToAbsl(why), " (RLIMIT_NOFILE is ", DescriptorLimit(),
      "; each loaded plugin keeps one descriptor for the process's life): "
      "raise the limit (ulimit -n, setrlimit) or load fewer plugins"));
}

absl::Status ErrnoStatus(int error, std::string_view what) {
  std::string message = absl::StrCat(ToAbsl(what), ": ", std::strerror(error));
  if (error == EMFILE) {
    return DescriptorsExhausted(what, "this process has no file descriptor left");
  }
  if (error == ENFILE) {
    return absl::ResourceExhaustedError(absl::StrCat(
        message, " (the system's limit on open files, /proc/sys/fs/file-max, "
        "is reached)"));
  }
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM) {
    return absl::PermissionDeniedError(message);
  }
  return absl::InvalidArgumentError(message);
}

}  // namespace preload::internal
