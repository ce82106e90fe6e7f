// Copyright the PreloadSDK authors.
//
// The ELF note reader, on the shared header reader (internal/elf_file.h).
// Everything read from a file is untrusted: each offset and size is checked
// against the file size with arithmetic that cannot overflow before anything
// is read or allocated.

#include "preload/elf_notes.h"

#include <elf.h>
#include <link.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/elf_file.h"

namespace preload {
namespace {

using internal::ElfFile;
using internal::ElfProgramHeader;
using internal::FitsWithin;
using internal::LoadUnsigned;

constexpr std::size_t kNoteHeaderBytes = sizeof(Elf32_Nhdr);  // 3 words.

// Rounds up in 64 bits: inputs are at most 32-bit sizes plus small offsets.
uint64_t AlignUp(uint64_t value, uint64_t align) {
  return (value + align - 1) / align * align;
}

struct NoteSegment {
  uint64_t index, offset, size, align;
};

absl::StatusOr<NoteSegment> CheckNoteSegment(const ElfFile& elf,
                                             const ElfProgramHeader& phdr) {
  const std::string what =
      absl::StrCat("program header ", phdr.index, " (PT_NOTE)");
  if (phdr.filesz > kMaxNoteSegmentBytes) {
    return elf.Invalid(absl::StrCat(what, " is ", phdr.filesz, " bytes, over "
                                    "the limit of ", kMaxNoteSegmentBytes,
                                    " for a note segment"));
  }
  if (!FitsWithin(phdr.offset, phdr.filesz, elf.size())) {
    return elf.Invalid(absl::StrCat(
        what, " lies outside the file (offset ", phdr.offset, " + size ",
        phdr.filesz, " > file size ", elf.size(), ")"));
  }
  // .note.gnu.property is 8-aligned in ELF64; everything else uses 4.
  return NoteSegment{phdr.index, phdr.offset, phdr.filesz,
                     phdr.align == 8 ? 8u : 4u};
}

// A PT_LOAD segment is mapped straight from the file. If its bytes lie past
// the end, the dynamic loader maps the missing pages anyway and the first
// touch of them raises SIGBUS (glibc does not check): a truncated plugin would
// kill its host. So a file too short for its own segments is refused here.
absl::Status CheckLoadSegment(const ElfFile& elf,
                              const ElfProgramHeader& phdr) {
  if (FitsWithin(phdr.offset, phdr.filesz, elf.size())) {
    return absl::OkStatus();
  }
  return elf.Invalid(absl::StrCat(
      "program header ", phdr.index, " (PT_LOAD) lies outside the file "
      "(offset ", phdr.offset, " + size ", phdr.filesz, " > file size ",
      elf.size(), "): the file is truncated"));
}

// The program headers the reader acts on: the note segments, and the first
// PT_LOAD that lies outside the file (reported after the notes are read, so
// that a note error in a truncated file is the one named).
struct NoteHeaders {
  std::vector<NoteSegment> notes;
  absl::Status loads;
};

absl::StatusOr<NoteHeaders> ReadNoteHeaders(const ElfFile& elf) {
  absl::StatusOr<std::vector<ElfProgramHeader>> phdrs =
      elf.ReadProgramHeaders();
  if (!phdrs.ok()) return phdrs.status();
  NoteHeaders headers;
  for (const ElfProgramHeader& phdr : *phdrs) {
    if (phdr.type == PT_LOAD && headers.loads.ok()) {
      headers.loads = CheckLoadSegment(elf, phdr);
    }
    if (phdr.type != PT_NOTE) continue;
    absl::StatusOr<NoteSegment> segment = CheckNoteSegment(elf, phdr);
    if (!segment.ok()) return segment.status();
    headers.notes.push_back(*segment);
  }
  return headers;
}

absl::Status AppendSegmentNotes(const ElfFile& elf, const NoteSegment& segment,
                                std::vector<ElfNote>* notes) {
  std::string storage;
  absl::StatusOr<std::string_view> bytes =
      elf.ReadRange(segment.offset, segment.size, &storage);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::vector<ElfNote>> parsed =
      ParseNoteSegment(*bytes, elf.big_endian(), segment.align);
  if (!parsed.ok()) {
    return elf.Invalid(absl::StrCat("program header ", segment.index,
                                    " (PT_NOTE): ", parsed.status().message()));
  }
  std::move(parsed->begin(), parsed->end(), std::back_inserter(*notes));
  return absl::OkStatus();
}

// Every note of the file, which is `size` bytes long.
absl::StatusOr<std::vector<ElfNote>> ReadNotes(int fd, uint64_t size,
                                               std::string_view file) {
  ElfFile elf(fd, size, file);
  if (absl::Status header = elf.ReadHeader(); !header.ok()) return header;
  absl::StatusOr<NoteHeaders> headers = ReadNoteHeaders(elf);
  if (!headers.ok()) return headers.status();
  std::vector<ElfNote> notes;
  for (const NoteSegment& segment : headers->notes) {
    absl::Status appended = AppendSegmentNotes(elf, segment, &notes);
    if (!appended.ok()) return appended;
  }
  if (!headers->loads.ok()) return headers->loads;
  return notes;
}

void KeepOnly(std::string_view owner, uint32_t type,
              std::vector<ElfNote>* notes) {
  notes->erase(std::remove_if(notes->begin(), notes->end(),
                              [&](const ElfNote& note) {
                                return note.owner != owner || note.type != type;
                              }),
               notes->end());
}

// Parses one note at `offset`; advances `offset` past it and its padding.
absl::StatusOr<ElfNote> ParseNote(std::string_view bytes, bool big_endian,
                                  uint64_t align, uint64_t index,
                                  uint64_t* offset) {
  const uint64_t start = *offset;
  const uint64_t namesz = LoadUnsigned(bytes, start, 4, big_endian);
  const uint64_t descsz = LoadUnsigned(bytes, start + 4, 4, big_endian);
  const auto type =
      static_cast<uint32_t>(LoadUnsigned(bytes, start + 8, 4, big_endian));
  // As glibc and the kernel do: the descriptor starts at the header plus the
  // name rounded up to `align`, which differs from padding the name alone
  // when align is 8. 64-bit sums of 32-bit sizes cannot overflow.
  const uint64_t name_at = start + kNoteHeaderBytes;
  const uint64_t desc_at = AlignUp(name_at + namesz, align);
  const std::string where = absl::StrCat("note ", index, " at offset ", start);
  if (!FitsWithin(name_at, namesz, bytes.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": name runs past the segment (offset ", name_at,
        " + namesz ", namesz, " > segment size ", bytes.size(), ")"));
  }
  if (!FitsWithin(desc_at, descsz, bytes.size())) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": descriptor runs past the segment (offset ", desc_at,
        " + descsz ", descsz, " > segment size ", bytes.size(), ")"));
  }
  ElfNote note;
  note.owner = std::string(bytes.substr(name_at, namesz));
  note.owner.erase(note.owner.find_last_not_of('\0') + 1);
  note.type = type;
  note.desc = std::string(bytes.substr(desc_at, descsz));
  *offset = AlignUp(desc_at + descsz, align);
  return note;
}

struct ProgramNoteQuery {
  std::string_view owner;
  uint32_t type;
  std::vector<ElfNote> found;
};

// dl_iterate_phdr reports the main program first; we read only it.
int CollectMainProgramNotes(struct dl_phdr_info* info, std::size_t,
                            void* data) {
  auto* query = static_cast<ProgramNoteQuery*>(data);
  constexpr bool kBigEndian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& phdr = info->dlpi_phdr[i];
    if (phdr.p_type != PT_NOTE) continue;
    const std::string_view bytes(
        reinterpret_cast<const char*>(info->dlpi_addr + phdr.p_vaddr),
        phdr.p_memsz);
    absl::StatusOr<std::vector<ElfNote>> notes =
        ParseNoteSegment(bytes, kBigEndian, phdr.p_align == 8 ? 8 : 4);
    if (!notes.ok()) continue;  // The linker made it; skip rather than fail.
    for (ElfNote& note : *notes) {
      if (note.owner == query->owner && note.type == query->type) {
        query->found.push_back(std::move(note));
      }
    }
  }
  return 1;  // Stop: the libraries that follow are not this program.
}

}  // namespace

absl::StatusOr<std::vector<ElfNote>> ReadElfNotes(int fd,
                                                  std::string_view file) {
  absl::StatusOr<uint64_t> size = internal::ElfFileSize(fd, file);
  if (!size.ok()) return size.status();
  return ReadNotes(fd, *size, file);
}

absl::StatusOr<std::vector<ElfNote>> FindElfNotes(int fd,
                                                  std::string_view file,
                                                  std::string_view owner,
                                                  uint32_t type) {
  absl::StatusOr<uint64_t> size = internal::ElfFileSize(fd, file);
  if (!size.ok()) return size.status();
  return FindElfNotes(fd, *size, file, owner, type);
}

absl::StatusOr<std::vector<ElfNote>> FindElfNotes(int fd, uint64_t file_size,
                                                  std::string_view file,
                                                  std::string_view owner,
                                                  uint32_t type) {
  absl::StatusOr<std::vector<ElfNote>> notes = ReadNotes(fd, file_size, file);
  if (!notes.ok()) return notes.status();
  KeepOnly(owner, type, &*notes);
  return notes;
}

absl::StatusOr<std::vector<ElfNote>> ParseNoteSegment(std::string_view bytes,
                                                      bool big_endian,
                                                      std::size_t align) {
  if (align != 4 && align != 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("note alignment is ", align, ", expected 4 or 8"));
  }
  std::vector<ElfNote> notes;
  uint64_t offset = 0;
  // Trailing bytes too few for a header are padding, not a note.
  while (FitsWithin(offset, kNoteHeaderBytes, bytes.size())) {
    absl::StatusOr<ElfNote> note =
        ParseNote(bytes, big_endian, align, notes.size(), &offset);
    if (!note.ok()) return note.status();
    notes.push_back(*std::move(note));
  }
  return notes;
}

std::vector<ElfNote> FindNotesOfThisProgram(std::string_view owner,
                                            uint32_t type) {
  ProgramNoteQuery query{owner, type, {}};
  dl_iterate_phdr(CollectMainProgramNotes, &query);
  return query.found;
}

}  // namespace preload
