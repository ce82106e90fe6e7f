// Copyright the PreloadSDK authors.
//
// loader/internal/startup_check.h — refuses a plugin whose start-up code
// would change the process's floating-point state the moment it is mapped
// (policy/internal/startup_effects.h says which code does), before anything
// is mapped. The check reads the file, not the fingerprint: the start-up
// objects that do it come in through the link line, which the compiled
// fingerprint cannot see.
#ifndef PRELOAD_LOADER_INTERNAL_STARTUP_CHECK_H_
#define PRELOAD_LOADER_INTERNAL_STARTUP_CHECK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "elf/internal/elf_file.h"

namespace preload::internal {

// Each effect of the file's start-up functions, in words: "the start-up
// function at 0x1040 sets FTZ and DAZ in MXCSR ...; it is crtfastmath.o, ...;
// link the plugin ...". Empty when there is none. Errors when the file's
// dynamic section or start-up arrays are malformed.
absl::StatusOr<std::vector<std::string>> DescribeStartupEffects(
    int fd, uint64_t size, std::string_view file);

// OkStatus, or FailedPrecondition naming the file and every effect. Under
// every policy: the host never agreed to have its state changed. `elf` has
// its header read already (the note reader's): nothing is read twice.
absl::Status CheckStartupEffects(const ElfFile& elf);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_STARTUP_CHECK_H_
