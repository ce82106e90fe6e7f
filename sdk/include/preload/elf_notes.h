// Copyright the PreloadSDK authors.
//
// preload/elf_notes.h — find ELF notes without loading anything.
//
// Reads the notes of the PT_NOTE segments of an ELF file through an open file
// descriptor (with `pread`, never `mmap` and never `dlopen`), or of the running
// program from its own program headers in memory. ELF32 and ELF64 in either
// byte order are understood; every size and offset is bounds-checked against
// the file, so a hostile or truncated file yields an error, never a crash.
//
// Example:
//
//   absl::StatusOr<std::vector<preload::ElfNote>> notes =
//       preload::ReadElfNotes(fd, "plugins/hello.so");
//   for (const preload::ElfNote& note : *notes)
//     if (note.owner == "GNU" && note.type == 3) { /* build-id */ }
//
// This is the ELF seam: it knows nothing of what a note means. Another binary
// format would get a sibling reader with the same shape.
#ifndef PRELOAD_ELF_NOTES_H_
#define PRELOAD_ELF_NOTES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace preload {

// One note, with the owner's trailing NULs removed and `desc` exactly
// `descsz` bytes long.
struct ElfNote {
  std::string owner;
  uint32_t type = 0;
  std::string desc;
};

// A limit that keeps a hostile file from making the reader allocate or read
// without bound: a file exceeding it (or having more than 4096 program
// headers) is refused as corrupt.
inline constexpr std::size_t kMaxNoteSegmentBytes = 1024 * 1024;

// Reads every note of every PT_NOTE segment of the ELF file open on `fd`.
// `file` is used only in error messages. Does not move the file offset.
// Errors: InvalidArgument for a file that is not ELF, or whose headers or notes
// are truncated, overlapping the end of the file or otherwise malformed;
// the errno-derived status if a read fails.
[[nodiscard]] absl::StatusOr<std::vector<ElfNote>> ReadElfNotes(
    int fd, std::string_view file);

// Like ReadElfNotes, but returns only the notes with this owner and type.
[[nodiscard]] absl::StatusOr<std::vector<ElfNote>> FindElfNotes(
    int fd, std::string_view file, std::string_view owner, uint32_t type);

// Like FindElfNotes above, for a caller that has just called fstat on `fd`:
// `file_size` is taken as the file's size instead of asking again, so that an
// ordinary plugin costs one pread. Bytes past `file_size` are never read; a
// segment or header that reaches past it is refused as lying outside the file.
// A `file_size` larger than the file is reported as a file that ended early.
[[nodiscard]] absl::StatusOr<std::vector<ElfNote>> FindElfNotes(
    int fd, uint64_t file_size, std::string_view file, std::string_view owner,
    uint32_t type);

// Parses the contents of one PT_NOTE segment (a sequence of notes) held in
// memory. `big_endian` and `align` (4 or 8, from the segment's p_align) say how
// to read it. Errors: InvalidArgument for a note that runs past `bytes`.
[[nodiscard]] absl::StatusOr<std::vector<ElfNote>> ParseNoteSegment(
    std::string_view bytes, bool big_endian, std::size_t align);

// The notes with this owner and type in the running executable's own PT_NOTE
// segments, read from memory (the main program only, not its libraries).
std::vector<ElfNote> FindNotesOfThisProgram(std::string_view owner,
                                            uint32_t type);

}  // namespace preload

#endif  // PRELOAD_ELF_NOTES_H_
