// Copyright the PreloadSDK authors.
//
// signing/internal/small_file.h — the whole of a small file (a key, a
// signature, a digest list), read with a cap so that a huge file or a FIFO
// named by mistake cannot exhaust memory or block.
#ifndef PRELOAD_SIGNING_INTERNAL_SMALL_FILE_H_
#define PRELOAD_SIGNING_INTERNAL_SMALL_FILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace preload::internal {

// The contents of the regular file `path`, at most `max_bytes` long.
// NotFound when it does not exist; InvalidArgument when it is not a regular
// file or is longer; the errno's status otherwise. Every error names `path`.
[[nodiscard]] absl::StatusOr<std::string> ReadSmallFile(std::string_view path,
                                                        std::size_t max_bytes);

}  // namespace preload::internal

#endif  // PRELOAD_SIGNING_INTERNAL_SMALL_FILE_H_
