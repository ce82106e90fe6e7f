// Copyright the PreloadSDK authors.
//
// elf/internal/startup_code.h — the first bytes of the functions the dynamic
// loader runs when it maps a library (DT_INIT, DT_PREINIT_ARRAY,
// DT_INIT_ARRAY), read from the file without loading it.
//
// Start-up objects the compiler driver links in can change the state of the
// whole process from these functions: GCC's crtfastmath.o (-ffast-math,
// -Ofast, -funsafe-math-optimizations on the link line) sets FTZ/DAZ in
// MXCSR, crtprec32.o/crtprec64.o (-mpc32, -mpc64) lower the x87 precision.
// Their symbols are local and go with `strip`; their code does not. What the
// bytes mean is the policy layer's business (policy/internal/startup_effects).
//
//   absl::StatusOr<std::vector<StartupFunction>> code =
//       ReadStartupCode(fd, size, "plugins/hello.so");
#ifndef PRELOAD_ELF_INTERNAL_STARTUP_CODE_H_
#define PRELOAD_ELF_INTERNAL_STARTUP_CODE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"

namespace preload::internal {

// How many bytes of each function are read: the start-up objects' whole
// constructors are 20 to 30 bytes.
inline constexpr std::size_t kStartupCodeBytes = 48;

// One function run at start-up: its address and its first bytes (fewer when
// its segment ends sooner). Held inline: every verification reads a few.
struct StartupFunction {
  uint64_t address = 0;
  char bytes[kStartupCodeBytes] = {};
  std::size_t size = 0;

  std::string_view code() const { return {bytes, size}; }
};

// More start-up functions than this and a file is refused as corrupt.
inline constexpr std::size_t kMaxStartupFunctions = 4096;

// The start-up functions of the ELF file open on `fd` (`size` bytes, `file`
// names it in errors), with the ELF machine (e_machine) their code is for.
// A file without a dynamic section has none. An array slot holding 0 or -1
// (no function, or the old .ctors sentinel) is skipped. Errors as for
// ReadElfDynamic.
struct StartupCode {
  uint16_t machine = 0;
  absl::InlinedVector<StartupFunction, 4> functions;
};
[[nodiscard]] absl::StatusOr<StartupCode> ReadStartupCode(
    int fd, uint64_t size, std::string_view file);

// The same from an ElfFile whose header is read (elf_file.h): the loader
// shares one between the note, this and the dynamic section, so the first
// page and the program headers are read once.
class ElfFile;
[[nodiscard]] absl::Status ReadStartupCode(const ElfFile& elf, StartupCode* out);

}  // namespace preload::internal

#endif  // PRELOAD_ELF_INTERNAL_STARTUP_CODE_H_
