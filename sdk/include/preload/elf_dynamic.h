// Copyright the PreloadSDK authors.
//
// preload/elf_dynamic.h — what an ELF file asks of the dynamic loader, read
// without loading it.
//
// Reads the PT_DYNAMIC segment of an ELF file through an open file descriptor
// (with `pread`, never `mmap` or `dlopen`): the libraries it needs
// (DT_NEEDED), where it asks for them to be searched (DT_RPATH, DT_RUNPATH),
// its DT_SONAME and DT_FLAGS_1. Strings are found through DT_STRTAB, whose
// address is mapped to a file offset through the PT_LOAD segments. ELF32 and
// ELF64 in either byte order; every size, offset and string is bounds-checked
// against the file, so a hostile file yields an error, never a crash.
//
// Example:
//
//   absl::StatusOr<preload::ElfDynamic> dynamic =
//       preload::ReadElfDynamic(fd, "plugins/hello.so");
//   if (dynamic.ok())
//     for (const std::string& library : dynamic->needed) std::cout << library;
//
// Part of the ELF seam beside <preload/elf_notes.h>: it knows nothing of
// fingerprints or of how the dynamic loader searches.
#ifndef PRELOAD_ELF_DYNAMIC_H_
#define PRELOAD_ELF_DYNAMIC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace preload {

// What the ELF header says about the code in a file: the dynamic loader only
// uses a library of the same class, byte order and machine as its user.
struct ElfIdentity {
  int elf_class = 0;        // 32 or 64
  bool big_endian = false;
  uint16_t machine = 0;     // e_machine, e.g. EM_X86_64 (62)
  uint16_t type = 0;        // e_type, e.g. ET_DYN (3)

  // True when a library of `other`'s identity can serve this file.
  bool SameCodeAs(const ElfIdentity& other) const {
    return elf_class == other.elf_class && big_endian == other.big_endian &&
           machine == other.machine;
  }
};

// The dynamic section's answers. A file without a PT_DYNAMIC segment (a
// static executable, an object file) has `has_dynamic` false and nothing else.
struct ElfDynamic {
  ElfIdentity identity;
  bool has_dynamic = false;
  // DT_NEEDED, in the order of the dynamic section (the loader's order).
  std::vector<std::string> needed;
  std::optional<std::string> soname;   // DT_SONAME
  std::optional<std::string> rpath;    // DT_RPATH, colon-separated, unexpanded
  std::optional<std::string> runpath;  // DT_RUNPATH, likewise
  uint64_t flags_1 = 0;                // DT_FLAGS_1, e.g. DF_1_NODEFLIB
};

// A dynamic segment or string table larger than this is refused as corrupt.
inline constexpr std::size_t kMaxDynamicSegmentBytes = 1024 * 1024;
inline constexpr std::size_t kMaxDynamicStringTableBytes = 64 * 1024 * 1024;

// Reads only the ELF header of the file open on `fd`. `file` names it in
// errors. InvalidArgument for a file that is not ELF or is truncated.
[[nodiscard]] absl::StatusOr<ElfIdentity> ReadElfIdentity(
    int fd, std::string_view file);

// Reads the dynamic section of the ELF file open on `fd`. `file` is used only
// in error messages. Does not move the file offset.
// Errors: InvalidArgument naming what is malformed (not ELF, a segment or the
// string table outside the file, DT_STRTAB in no PT_LOAD segment, a string
// offset past DT_STRSZ or a string without its NUL); the errno-derived status
// if a read fails.
[[nodiscard]] absl::StatusOr<ElfDynamic> ReadElfDynamic(int fd,
                                                        std::string_view file);

// The same for a caller that has just called fstat: `file_size` is the file's
// size, and nothing past it is read.
[[nodiscard]] absl::StatusOr<ElfDynamic> ReadElfDynamic(int fd,
                                                        uint64_t file_size,
                                                        std::string_view file);

}  // namespace preload

#endif  // PRELOAD_ELF_DYNAMIC_H_
