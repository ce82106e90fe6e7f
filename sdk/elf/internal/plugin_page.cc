// Copyright the PreloadSDK authors.
//
// The loader's one pass over a plugin's first page (plugin_page.h). Every
// check the general readers make (elf_file.cc, elf_notes.cc) is made here
// too, in the same arithmetic; where one would fail, this declines instead
// of wording an error, and the general readers run.
#include "elf/internal/plugin_page.h"

#include <elf.h>

#include <cstring>

#include "preload/elf_notes.h"

namespace preload::internal {
namespace {

constexpr bool kHostBigEndian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
constexpr uint64_t kNoteHeaderBytes = sizeof(Elf32_Nhdr);

uint64_t AlignUp(uint64_t value, uint64_t align) {
  return (value + align - 1) / align * align;
}

uint32_t Word(const char* at) {
  uint32_t value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

// The notes of one segment's bytes, as ParseNote (elf_notes.cc) walks them:
// false for a note whose name or descriptor runs past the segment. Counts
// those of `owner` and `type`, keeping the first one's descriptor.
bool WalkNotes(std::string_view bytes, uint64_t align, std::string_view owner,
               uint32_t type, std::size_t* count, std::string_view* first) {
  uint64_t offset = 0;
  while (FitsWithin(offset, kNoteHeaderBytes, bytes.size())) {
    const char* header = bytes.data() + offset;
    const uint64_t namesz = Word(header);
    const uint64_t descsz = Word(header + 4);
    const uint32_t note_type = Word(header + 8);
    const uint64_t name_at = offset + kNoteHeaderBytes;
    const uint64_t desc_at = AlignUp(name_at + namesz, align);
    if (!FitsWithin(name_at, namesz, bytes.size()) ||
        !FitsWithin(desc_at, descsz, bytes.size())) {
      return false;
    }
    if (note_type == type) {
      std::string_view name = bytes.substr(name_at, namesz);
      while (!name.empty() && name.back() == '\0') name.remove_suffix(1);
      if (name == owner && (*count)++ == 0) *first = bytes.substr(desc_at, descsz);
    }
    offset = AlignUp(desc_at + descsz, align);
  }
  return true;
}

// One program header of the table at `at`, as ReadNoteHeaders and
// ReadStartup use it; false where a general reader would refuse the file
// or where `page` has no room.
bool TakeProgramHeader(const Elf64_Phdr& phdr, std::string_view first_bytes,
                       uint64_t file_size, std::string_view owner,
                       uint32_t type, std::size_t* notes, ElfFile::Page* page) {
  const Segment segment{phdr.p_offset, phdr.p_vaddr, phdr.p_filesz};
  switch (phdr.p_type) {
    case PT_LOAD:
      // A file too short for a segment is refused (CheckLoadSegment).
      if (!FitsWithin(phdr.p_offset, phdr.p_filesz, file_size) ||
          page->load_count == ElfFile::Page::kMaxLoads) {
        return false;
      }
      page->loads[page->load_count++] = segment;
      return true;
    case PT_DYNAMIC:
      if (!page->has_dynamic) {
        page->has_dynamic = true;
        page->dynamic = segment;
      }
      return true;
    case PT_NOTE:
      // Within the first bytes, hence within the file and the limit.
      if (phdr.p_filesz > kMaxNoteSegmentBytes ||
          !FitsWithin(phdr.p_offset, phdr.p_filesz, first_bytes.size())) {
        return false;
      }
      return WalkNotes(first_bytes.substr(phdr.p_offset, phdr.p_filesz),
                       phdr.p_align == 8 ? 8 : 4, owner, type, notes,
                       &page->note);
    default:
      return true;
  }
}

}  // namespace

bool ReadPluginPage(ElfFile& elf, std::string_view owner, uint32_t type) {
  // ReadHeader checked the identification and the header's length.
  if (elf.layout().bits != 64 || elf.big_endian() != kHostBigEndian) return false;
  const ElfHeader& header = elf.header();
  const std::string_view first_bytes = elf.first_bytes();
  // The table's checks (CheckProgramHeaderTable), and within the first bytes.
  if (header.phnum == 0 || header.phnum > kMaxProgramHeaders ||
      header.phentsize != sizeof(Elf64_Phdr) ||
      !FitsWithin(header.phoff, header.phnum * sizeof(Elf64_Phdr),
                  first_bytes.size())) {
    return false;
  }
  ElfFile::Page page;
  std::size_t notes = 0;
  const char* table = first_bytes.data() + header.phoff;
  for (uint64_t i = 0; i < header.phnum; ++i) {
    Elf64_Phdr phdr;
    std::memcpy(&phdr, table + i * sizeof phdr, sizeof phdr);
    if (!TakeProgramHeader(phdr, first_bytes, elf.size(), owner, type, &notes,
                           &page)) {
      return false;
    }
  }
  if (notes != 1) return false;
  elf.KeepPage(page);
  return true;
}

}  // namespace preload::internal
