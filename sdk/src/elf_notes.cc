// Copyright the PreloadSDK authors.
//
// The ELF note reader. Everything read from a file is untrusted: each offset
// and size is checked against the file size with arithmetic that cannot
// overflow before anything is read or allocated.

#include "preload/elf_notes.h"

#include <elf.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace preload {
namespace {

// One pread of this many bytes serves the headers and notes of an ordinary
// shared object, which sit at its start; only exotic layouts need a second.
constexpr std::size_t kPrefixBytes = 4096;

constexpr std::size_t kNoteHeaderBytes = sizeof(Elf32_Nhdr);  // 3 words.

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Reads a `width`-byte unsigned integer in the file's byte order, whatever the
// host's, so a big-endian plugin can be inspected on a little-endian machine.
uint64_t LoadUnsigned(std::string_view bytes, std::size_t offset,
                      std::size_t width, bool big_endian) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const uint64_t byte = static_cast<unsigned char>(bytes[offset + i]);
    const std::size_t shift = big_endian ? width - 1 - i : i;
    value |= byte << (8 * shift);
  }
  return value;
}

// Rounds up in 64 bits: inputs are at most 32-bit sizes plus small offsets.
uint64_t AlignUp(uint64_t value, uint64_t align) {
  return (value + align - 1) / align * align;
}

// True if [offset, offset + size) lies within `limit`, without overflowing.
bool FitsWithin(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

// Where a header field lives, taken from <elf.h> so nothing is hand-counted.
struct Field {
  std::size_t offset;
  std::size_t width;
};
#define PRELOAD_FIELD(type, member) \
  Field { offsetof(type, member), sizeof(type::member) }

// The two ELF classes differ only in field positions and widths.
struct ClassLayout {
  const char* name;
  std::size_t ehdr_size, phdr_size;
  Field phoff, phentsize, phnum;
  Field p_type, p_offset, p_filesz, p_align;
};

constexpr ClassLayout kElf32 = {
    "ELF32", sizeof(Elf32_Ehdr), sizeof(Elf32_Phdr),
    PRELOAD_FIELD(Elf32_Ehdr, e_phoff), PRELOAD_FIELD(Elf32_Ehdr, e_phentsize),
    PRELOAD_FIELD(Elf32_Ehdr, e_phnum), PRELOAD_FIELD(Elf32_Phdr, p_type),
    PRELOAD_FIELD(Elf32_Phdr, p_offset), PRELOAD_FIELD(Elf32_Phdr, p_filesz),
    PRELOAD_FIELD(Elf32_Phdr, p_align)};
constexpr ClassLayout kElf64 = {
    "ELF64", sizeof(Elf64_Ehdr), sizeof(Elf64_Phdr),
    PRELOAD_FIELD(Elf64_Ehdr, e_phoff), PRELOAD_FIELD(Elf64_Ehdr, e_phentsize),
    PRELOAD_FIELD(Elf64_Ehdr, e_phnum), PRELOAD_FIELD(Elf64_Phdr, p_type),
    PRELOAD_FIELD(Elf64_Phdr, p_offset), PRELOAD_FIELD(Elf64_Phdr, p_filesz),
    PRELOAD_FIELD(Elf64_Phdr, p_align)};
#undef PRELOAD_FIELD

// A header record (ELF header or program header) in the file's byte order.
struct Record {
  std::string_view bytes;
  bool big_endian;
  uint64_t Get(Field f) const {
    return LoadUnsigned(bytes, f.offset, f.width, big_endian);
  }
};

// The open file: its size, and its first kPrefixBytes already read.
struct Source {
  int fd;
  std::string_view file;
  uint64_t size;
  std::string_view prefix;
};

struct ElfHeader {
  const ClassLayout* layout;
  bool big_endian;
  uint64_t phoff, phentsize, phnum;
};

struct NoteSegment {
  uint64_t index, offset, size, align;
};

absl::Status Invalid(std::string_view file, std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(AbslView(file), ": ", AbslView(message)));
}

absl::StatusOr<uint64_t> FileSize(int fd, std::string_view file) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(AbslView(file), ": fstat"));
  }
  return static_cast<uint64_t>(st.st_size);
}

// pread until `size` bytes arrive: reads may be cut short by signals, and a
// file that ends early has shrunk since fstat, which we report, not ignore.
absl::Status PreadExactly(const Source& src, char* out, std::size_t size,
                          uint64_t offset) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = pread(src.fd, out + done, size - done,
                            static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::ErrnoToStatus(
          errno, absl::StrCat(AbslView(src.file), ": reading ", size,
                              " bytes at offset ", offset));
    }
    if (n == 0) {
      return Invalid(src.file, absl::StrCat("file ended at offset ",
                                            offset + done, " while reading ",
                                            size, " bytes at offset ", offset,
                                            " (did it shrink while read?)"));
    }
    done += static_cast<std::size_t>(n);
  }
  return absl::OkStatus();
}

// Bytes [offset, offset + size) of the file, which the caller has checked lie
// within it. Served from the prefix where possible; `storage` holds the rest.
absl::StatusOr<std::string_view> ReadRange(const Source& src, uint64_t offset,
                                           uint64_t size,
                                           std::string* storage) {
  if (FitsWithin(offset, size, src.prefix.size())) {
    return src.prefix.substr(offset, size);
  }
  storage->assign(size, '\0');
  const uint64_t from_prefix =
      offset < src.prefix.size() ? src.prefix.size() - offset : 0;
  if (from_prefix > 0) src.prefix.copy(storage->data(), from_prefix, offset);
  absl::Status read = PreadExactly(src, storage->data() + from_prefix,
                                   size - from_prefix, offset + from_prefix);
  if (!read.ok()) return read;
  return std::string_view(*storage);
}

absl::Status CheckIdent(const Source& src) {
  const std::string_view p = src.prefix;
  if (p.size() < SELFMAG) {
    return Invalid(src.file, absl::StrCat("not an ELF file (", p.size(),
                                          " bytes long, shorter than the ",
                                          SELFMAG, "-byte ELF magic)"));
  }
  if (p.compare(0, SELFMAG, ELFMAG) != 0) {
    return Invalid(src.file, absl::StrFormat(
        "not an ELF file (magic is %02x %02x %02x %02x, expected 7f 45 4c 46)",
        p[0] & 0xff, p[1] & 0xff, p[2] & 0xff, p[3] & 0xff));
  }
  if (p.size() < EI_NIDENT) {
    return Invalid(src.file, absl::StrCat("truncated ELF identification (",
                                          p.size(), " bytes, expected ",
                                          EI_NIDENT, ")"));
  }
  const int cls = static_cast<unsigned char>(p[EI_CLASS]);
  const int data = static_cast<unsigned char>(p[EI_DATA]);
  const int version = static_cast<unsigned char>(p[EI_VERSION]);
  if (cls != ELFCLASS32 && cls != ELFCLASS64) {
    return Invalid(src.file, absl::StrCat("unsupported ELF class ", cls,
                                          " (expected 1 for ELFCLASS32 or 2 "
                                          "for ELFCLASS64)"));
  }
  if (data != ELFDATA2LSB && data != ELFDATA2MSB) {
    return Invalid(src.file, absl::StrCat("unsupported ELF data encoding ",
                                          data, " (expected 1 for ELFDATA2LSB "
                                          "or 2 for ELFDATA2MSB)"));
  }
  if (version != EV_CURRENT) {
    return Invalid(src.file, absl::StrCat("unsupported ELF version ", version,
                                          " in e_ident (expected ", EV_CURRENT,
                                          ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ElfHeader> ParseElfHeader(const Source& src) {
  if (absl::Status ident = CheckIdent(src); !ident.ok()) return ident;
  ElfHeader h;
  h.layout = src.prefix[EI_CLASS] == ELFCLASS64 ? &kElf64 : &kElf32;
  h.big_endian = src.prefix[EI_DATA] == ELFDATA2MSB;
  // Both header sizes are far below kPrefixBytes, so the prefix holds it all.
  if (src.prefix.size() < h.layout->ehdr_size) {
    return Invalid(src.file, absl::StrCat(
        "truncated ELF header (file size ", src.size, ", an ",
        h.layout->name, " header needs ", h.layout->ehdr_size, " bytes)"));
  }
  const Record ehdr{src.prefix, h.big_endian};
  h.phoff = ehdr.Get(h.layout->phoff);
  h.phentsize = ehdr.Get(h.layout->phentsize);
  h.phnum = ehdr.Get(h.layout->phnum);
  return h;
}

// Checks the program header table's shape and place; an empty table is fine.
absl::Status CheckProgramHeaderTable(const Source& src, const ElfHeader& h) {
  if (h.phnum == 0) return absl::OkStatus();  // e.g. a relocatable object.
  if (h.phnum == PN_XNUM) {
    return Invalid(src.file, "extended program header numbering (e_phnum = "
                             "0xffff) is not supported");
  }
  if (h.phnum > kMaxProgramHeaders) {
    return Invalid(src.file, absl::StrCat("too many program headers (",
                                          h.phnum, ", limit ",
                                          kMaxProgramHeaders, ")"));
  }
  if (h.phentsize != h.layout->phdr_size) {
    return Invalid(src.file, absl::StrCat(
        "program header size e_phentsize is ", h.phentsize, ", expected ",
        h.layout->phdr_size, " for ", h.layout->name));
  }
  // phnum and phentsize are now small, so their product cannot overflow.
  const uint64_t table_size = h.phnum * h.phentsize;
  if (!FitsWithin(h.phoff, table_size, src.size)) {
    return Invalid(src.file, absl::StrCat(
        "program header table lies outside the file (offset ", h.phoff,
        " + size ", table_size, " > file size ", src.size, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<NoteSegment> CheckNoteSegment(const Source& src,
                                             uint64_t index, uint64_t offset,
                                             uint64_t size, uint64_t align) {
  const std::string what = absl::StrCat("program header ", index, " (PT_NOTE)");
  if (size > kMaxNoteSegmentBytes) {
    return Invalid(src.file, absl::StrCat(what, " is ", size, " bytes, over "
                                          "the limit of ", kMaxNoteSegmentBytes,
                                          " for a note segment"));
  }
  if (!FitsWithin(offset, size, src.size)) {
    return Invalid(src.file, absl::StrCat(
        what, " lies outside the file (offset ", offset, " + size ", size,
        " > file size ", src.size, ")"));
  }
  // .note.gnu.property is 8-aligned in ELF64; everything else uses 4.
  return NoteSegment{index, offset, size, align == 8 ? 8u : 4u};
}

// A PT_LOAD segment is mapped straight from the file. If its bytes lie past
// the end, the dynamic loader maps the missing pages anyway and the first
// touch of them raises SIGBUS (glibc does not check): a truncated plugin would
// kill its host. So a file too short for its own segments is refused here.
absl::Status CheckLoadSegment(const Source& src, uint64_t index,
                              uint64_t offset, uint64_t size) {
  if (FitsWithin(offset, size, src.size)) return absl::OkStatus();
  return Invalid(src.file, absl::StrCat(
      "program header ", index, " (PT_LOAD) lies outside the file (offset ",
      offset, " + size ", size, " > file size ", src.size,
      "): the file is truncated"));
}

// The program headers the reader acts on: the note segments, and the first
// PT_LOAD that lies outside the file (reported after the notes are read, so
// that a note error in a truncated file is the one named).
struct ProgramHeaders {
  std::vector<NoteSegment> notes;
  absl::Status loads;
};

absl::StatusOr<ProgramHeaders> ReadProgramHeaders(const Source& src,
                                                  const ElfHeader& h) {
  std::string storage;
  absl::StatusOr<std::string_view> table =
      ReadRange(src, h.phoff, h.phnum * h.phentsize, &storage);
  if (!table.ok()) return table.status();
  ProgramHeaders headers;
  for (uint64_t i = 0; i < h.phnum; ++i) {
    const Record phdr{table->substr(i * h.phentsize, h.phentsize),
                      h.big_endian};
    const uint64_t type = phdr.Get(h.layout->p_type);
    const uint64_t offset = phdr.Get(h.layout->p_offset);
    const uint64_t size = phdr.Get(h.layout->p_filesz);
    if (type == PT_LOAD && headers.loads.ok()) {
      headers.loads = CheckLoadSegment(src, i, offset, size);
    }
    if (type != PT_NOTE) continue;
    absl::StatusOr<NoteSegment> segment =
        CheckNoteSegment(src, i, offset, size, phdr.Get(h.layout->p_align));
    if (!segment.ok()) return segment.status();
    headers.notes.push_back(*segment);
  }
  return headers;
}

absl::Status AppendSegmentNotes(const Source& src, const ElfHeader& h,
                                const NoteSegment& segment,
                                std::vector<ElfNote>* notes) {
  std::string storage;
  absl::StatusOr<std::string_view> bytes =
      ReadRange(src, segment.offset, segment.size, &storage);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<std::vector<ElfNote>> parsed =
      ParseNoteSegment(*bytes, h.big_endian, segment.align);
  if (!parsed.ok()) {
    return Invalid(src.file,
                   absl::StrCat("program header ", segment.index,
                                " (PT_NOTE): ", parsed.status().message()));
  }
  std::move(parsed->begin(), parsed->end(), std::back_inserter(*notes));
  return absl::OkStatus();
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
  absl::StatusOr<uint64_t> size = FileSize(fd, file);
  if (!size.ok()) return size.status();
  char prefix[kPrefixBytes];
  const std::size_t prefix_size =
      static_cast<std::size_t>(std::min<uint64_t>(*size, kPrefixBytes));
  Source src{fd, file, *size, std::string_view(prefix, prefix_size)};
  if (absl::Status read = PreadExactly(src, prefix, prefix_size, 0);
      !read.ok()) {
    return read;
  }
  absl::StatusOr<ElfHeader> header = ParseElfHeader(src);
  if (!header.ok()) return header.status();
  if (absl::Status table = CheckProgramHeaderTable(src, *header); !table.ok()) {
    return table;
  }
  std::vector<ElfNote> notes;
  if (header->phnum == 0) return notes;
  absl::StatusOr<ProgramHeaders> headers = ReadProgramHeaders(src, *header);
  if (!headers.ok()) return headers.status();
  for (const NoteSegment& segment : headers->notes) {
    absl::Status appended = AppendSegmentNotes(src, *header, segment, &notes);
    if (!appended.ok()) return appended;
  }
  if (!headers->loads.ok()) return headers->loads;
  return notes;
}

absl::StatusOr<std::vector<ElfNote>> FindElfNotes(int fd,
                                                  std::string_view file,
                                                  std::string_view owner,
                                                  uint32_t type) {
  absl::StatusOr<std::vector<ElfNote>> notes = ReadElfNotes(fd, file);
  if (!notes.ok()) return notes.status();
  notes->erase(std::remove_if(notes->begin(), notes->end(),
                              [&](const ElfNote& note) {
                                return note.owner != owner || note.type != type;
                              }),
               notes->end());
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
