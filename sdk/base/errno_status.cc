// Copyright the PreloadSDK authors.
#include "base/internal/errno_status.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"

namespace preload::internal {

absl::Status ErrnoStatus(int error, std::string_view what) {
  std::string message = absl::StrCat(ToAbsl(what), ": ", std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM) {
    return absl::PermissionDeniedError(message);
  }
  return absl::InvalidArgumentError(message);
}

}  // namespace preload::internal
