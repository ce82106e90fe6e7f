// Copyright the PreloadSDK authors.
//
// base/internal/errno_status.h — a failed system call as an absl::Status, the
// same way everywhere in the SDK.
#ifndef PRELOAD_BASE_INTERNAL_ERRNO_STATUS_H_
#define PRELOAD_BASE_INTERNAL_ERRNO_STATUS_H_

#include <string_view>

#include "absl/status/status.h"

namespace preload::internal {

// "<what>: <strerror(error)>", e.g. "/opt/p.so: cannot open: No such file or
// directory", with the code a caller can act on: NotFound for ENOENT,
// PermissionDenied for EACCES and EPERM, ResourceExhausted for EMFILE
// (naming the process's limit, RLIMIT_NOFILE) and ENFILE (the system's),
// InvalidArgument for anything else (the file cannot be used as it was
// asked to be).
[[nodiscard]] absl::Status ErrnoStatus(int error, std::string_view what);

// ResourceExhausted: "<what>: <why> (RLIMIT_NOFILE is N; ...)" with the fix.
[[nodiscard]] absl::Status DescriptorsExhausted(std::string_view what,
                                                std::string_view why);

}  // namespace preload::internal

#endif  // PRELOAD_BASE_INTERNAL_ERRNO_STATUS_H_
