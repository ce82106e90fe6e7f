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

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "elf/internal/elf_file.h"
#include "base/internal/string_view.h"

namespace preload {
namespace {

using internal::ElfFile;
using internal::ElfProgramHeader;
using internal::FitsWithin;
using internal::LoadUnsigned;
using internal::ToAbsl;

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
  // Words only for a refusal: every plugin check passes here.
  auto what = [&phdr] {
    return absl::StrCat("program header ", phdr.index, " (PT_NOTE)");
  };
  if (phdr.filesz > kMaxNoteSegmentBytes) {
    return elf.Invalid(absl::StrCat(what(), " is ", phdr.filesz, " bytes, over "
                                    "the limit of ", kMaxNoteSegmentBytes,
                                    " for a note segment"));
  }
  if (!FitsWithin(phdr.offset, phdr.filesz, elf.size())) {
    return elf.Invalid(absl::StrCat(
        what(), " lies outside the file (offset ", phdr.offset, " + size ",
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
  absl::InlinedVector<NoteSegment, 4> notes;
  absl::Status loads;
};

absl::StatusOr<NoteHeaders> ReadNoteHeaders(const ElfFile& elf) {
  absl::StatusOr<const internal::ProgramHeaders*> phdrs =
      elf.ReadProgramHeaders();
  if (!phdrs.ok()) return phdrs.status();
  NoteHeaders headers;
  for (const ElfProgramHeader& phdr : **phdrs) {
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

// One note as views into its segment's bytes; the owner without its NULs.
struct NoteView {
  std::string_view owner;
  uint32_t type = 0;
  std::string_view desc;
};

// Which notes a reader keeps: all, or those of one owner and type. A note
// not kept is never copied.
struct NoteFilter {
  bool all = true;
  std::string_view owner;
  uint32_t type = 0;
  bool Keeps(const NoteView& note) const {
    return all || (note.type == type && note.owner == owner);
  }
};

absl::Status NoteError(uint64_t index, uint64_t start, std::string_view what,
                       uint64_t at, std::string_view size_name, uint64_t size,
                       uint64_t segment_size) {
  return absl::InvalidArgumentError(absl::StrCat(
      "note ", index, " at offset ", start, ": ", ToAbsl(what),
      " runs past the segment (offset ", at, " + ", ToAbsl(size_name), " ",
      size, " > segment size ", segment_size, ")"));
}

// Parses one note at `offset`; advances `offset` past it and its padding.
absl::StatusOr<NoteView> ParseNote(std::string_view bytes, bool big_endian,
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
  if (!FitsWithin(name_at, namesz, bytes.size())) {
    return NoteError(index, start, "name", name_at, "namesz", namesz,
                     bytes.size());
  }
  if (!FitsWithin(desc_at, descsz, bytes.size())) {
    return NoteError(index, start, "descriptor", desc_at, "descsz", descsz,
                     bytes.size());
  }
  NoteView note;
  note.owner = bytes.substr(name_at, namesz);
  while (!note.owner.empty() && note.owner.back() == '\0') {
    note.owner.remove_suffix(1);
  }
  note.type = type;
  note.desc = bytes.substr(desc_at, descsz);
  *offset = AlignUp(desc_at + descsz, align);
  return note;
}

// Appends the notes of one segment's bytes that `filter` keeps.
absl::Status ParseNotesInto(std::string_view bytes, bool big_endian,
                            std::size_t align, const NoteFilter& filter,
                            std::vector<ElfNote>* notes) {
  if (align != 4 && align != 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("note alignment is ", align, ", expected 4 or 8"));
  }
  uint64_t offset = 0;
  // Trailing bytes too few for a header are padding, not a note.
  for (uint64_t index = 0; FitsWithin(offset, kNoteHeaderBytes, bytes.size());
       ++index) {
    absl::StatusOr<NoteView> note =
        ParseNote(bytes, big_endian, align, index, &offset);
    if (!note.ok()) return note.status();
    if (!filter.Keeps(*note)) continue;
    notes->push_back(
        {std::string(note->owner), note->type, std::string(note->desc)});
  }
  return absl::OkStatus();
}

absl::Status AppendSegmentNotes(const ElfFile& elf, const NoteSegment& segment,
                                const NoteFilter& filter,
                                std::vector<ElfNote>* notes) {
  std::string storage;
  absl::StatusOr<std::string_view> bytes =
      elf.ReadRange(segment.offset, segment.size, &storage);
  if (!bytes.ok()) return bytes.status();
  absl::Status parsed = ParseNotesInto(*bytes, elf.big_endian(), segment.align,
                                       filter, notes);
  if (!parsed.ok()) {
    return elf.Invalid(absl::StrCat("program header ", segment.index,
                                    " (PT_NOTE): ", parsed.message()));
  }
  return absl::OkStatus();
}

// The notes `filter` keeps of the file, which is `size` bytes long.
absl::StatusOr<std::vector<ElfNote>> ReadNotes(int fd, uint64_t size,
                                               std::string_view file,
                                               const NoteFilter& filter) {
  ElfFile elf(fd, size, file);
  if (absl::Status header = elf.ReadHeader(); !header.ok()) return header;
  absl::StatusOr<NoteHeaders> headers = ReadNoteHeaders(elf);
  if (!headers.ok()) return headers.status();
  std::vector<ElfNote> notes;
  for (const NoteSegment& segment : headers->notes) {
    absl::Status appended = AppendSegmentNotes(elf, segment, filter, &notes);
    if (!appended.ok()) return appended;
  }
  if (!headers->loads.ok()) return headers->loads;
  return notes;
}

// The descriptors of the notes `filter` keeps, as views: into the file's
// first bytes where the segment lies there, else into `storage`.
absl::Status ViewSegmentNotes(const ElfFile& elf, const NoteSegment& segment,
                              const NoteFilter& filter, std::string* storage,
                              internal::NoteDescs* out) {
  absl::StatusOr<std::string_view> bytes =
      elf.ReadRange(segment.offset, segment.size, storage);
  if (!bytes.ok()) return bytes.status();
  uint64_t offset = 0;  // segment.align is 4 or 8 (CheckNoteSegment)
  for (uint64_t index = 0; FitsWithin(offset, kNoteHeaderBytes, bytes->size());
       ++index) {
    absl::StatusOr<NoteView> note =
        ParseNote(*bytes, elf.big_endian(), segment.align, index, &offset);
    if (!note.ok()) {
      return elf.Invalid(absl::StrCat("program header ", segment.index,
                                      " (PT_NOTE): ", note.status().message()));
    }
    if (!filter.Keeps(*note)) continue;
    if (out->count++ == 0) out->first = note->desc;
  }
  return absl::OkStatus();
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
    const NoteFilter filter{false, query->owner, query->type};
    std::vector<ElfNote> notes;
    if (!ParseNotesInto(bytes, kBigEndian, phdr.p_align == 8 ? 8 : 4, filter,
                        &notes)
             .ok()) {
      continue;  // The linker made it; skip it rather than fail.
    }
    std::move(notes.begin(), notes.end(), std::back_inserter(query->found));
  }
  return 1;  // Stop: the libraries that follow are not this program.
}

}  // namespace

absl::StatusOr<std::vector<ElfNote>> ReadElfNotes(int fd,
                                                  std::string_view file) {
  absl::StatusOr<uint64_t> size = internal::ElfFileSize(fd, file);
  if (!size.ok()) return size.status();
  return ReadNotes(fd, *size, file, NoteFilter{});
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
  return ReadNotes(fd, file_size, file, NoteFilter{false, owner, type});
}

absl::StatusOr<std::vector<ElfNote>> ParseNoteSegment(std::string_view bytes,
                                                      bool big_endian,
                                                      std::size_t align) {
  std::vector<ElfNote> notes;
  if (absl::Status parsed =
          ParseNotesInto(bytes, big_endian, align, NoteFilter{}, &notes);
      !parsed.ok()) {
    return parsed;
  }
  return notes;
}

namespace internal {

absl::Status FindNoteDescs(ElfFile& elf, std::string_view owner, uint32_t type,
                           NoteDescs* out) {
  if (absl::Status header = elf.ReadHeader(); !header.ok()) return header;
  return FindNoteDescsAfterHeader(elf, owner, type, out);
}

absl::Status FindNoteDescsAfterHeader(const ElfFile& elf, std::string_view owner,
                                      uint32_t type, NoteDescs* out) {
  absl::StatusOr<NoteHeaders> headers = ReadNoteHeaders(elf);
  if (!headers.ok()) return headers.status();
  const NoteFilter filter{false, owner, type};
  std::string scratch;
  for (const NoteSegment& segment : headers->notes) {
    // The storage of the segment that holds the first note is kept.
    std::string* storage = out->count == 0 ? &out->storage : &scratch;
    absl::Status viewed = ViewSegmentNotes(elf, segment, filter, storage, out);
    if (!viewed.ok()) return viewed;
  }
  return headers->loads;
}

}  // namespace internal

std::vector<ElfNote> FindNotesOfThisProgram(std::string_view owner,
                                            uint32_t type) {
  ProgramNoteQuery query{owner, type, {}};
  dl_iterate_phdr(CollectMainProgramNotes, &query);
  return query.found;
}

}  // namespace preload
