// Copyright the PreloadSDK authors.
//
// The ELF dynamic-section reader. Like elf_notes.cc, everything read from the
// file is untrusted: each offset and size is checked against the file with
// arithmetic that cannot overflow before anything is read or allocated.
#include "preload/elf_dynamic.h"

#include <elf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "internal/string_view.h"
#include "preload/elf_notes.h"

namespace preload {
namespace {

using internal::ToAbsl;

uint64_t Load(std::string_view bytes, std::size_t offset, std::size_t width,
              bool big_endian) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const uint64_t byte = static_cast<unsigned char>(bytes[offset + i]);
    value |= byte << (8 * (big_endian ? width - 1 - i : i));
  }
  return value;
}

bool FitsWithin(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

struct Field {
  std::size_t offset, width;
};
#define PRELOAD_FIELD(type, member) \
  Field { offsetof(type, member), sizeof(type::member) }

struct Layout {
  const char* name;
  std::size_t ehdr_size, phdr_size, dyn_size;
  Field machine, type, phoff, phentsize, phnum;
  Field p_type, p_offset, p_vaddr, p_filesz;
  Field d_tag, d_val;
};

constexpr Layout kElf32 = {
    "ELF32", sizeof(Elf32_Ehdr), sizeof(Elf32_Phdr), sizeof(Elf32_Dyn),
    PRELOAD_FIELD(Elf32_Ehdr, e_machine), PRELOAD_FIELD(Elf32_Ehdr, e_type),
    PRELOAD_FIELD(Elf32_Ehdr, e_phoff), PRELOAD_FIELD(Elf32_Ehdr, e_phentsize),
    PRELOAD_FIELD(Elf32_Ehdr, e_phnum), PRELOAD_FIELD(Elf32_Phdr, p_type),
    PRELOAD_FIELD(Elf32_Phdr, p_offset), PRELOAD_FIELD(Elf32_Phdr, p_vaddr),
    PRELOAD_FIELD(Elf32_Phdr, p_filesz), PRELOAD_FIELD(Elf32_Dyn, d_tag),
    PRELOAD_FIELD(Elf32_Dyn, d_un)};
constexpr Layout kElf64 = {
    "ELF64", sizeof(Elf64_Ehdr), sizeof(Elf64_Phdr), sizeof(Elf64_Dyn),
    PRELOAD_FIELD(Elf64_Ehdr, e_machine), PRELOAD_FIELD(Elf64_Ehdr, e_type),
    PRELOAD_FIELD(Elf64_Ehdr, e_phoff), PRELOAD_FIELD(Elf64_Ehdr, e_phentsize),
    PRELOAD_FIELD(Elf64_Ehdr, e_phnum), PRELOAD_FIELD(Elf64_Phdr, p_type),
    PRELOAD_FIELD(Elf64_Phdr, p_offset), PRELOAD_FIELD(Elf64_Phdr, p_vaddr),
    PRELOAD_FIELD(Elf64_Phdr, p_filesz), PRELOAD_FIELD(Elf64_Dyn, d_tag),
    PRELOAD_FIELD(Elf64_Dyn, d_un)};
#undef PRELOAD_FIELD

// The open file and what its ELF header said.
struct Source {
  int fd;
  std::string_view file;
  uint64_t size;
  const Layout* layout;
  bool big_endian;
  uint64_t Get(std::string_view bytes, Field f) const {
    return Load(bytes, f.offset, f.width, big_endian);
  }
};

struct Segment {
  uint64_t offset, vaddr, filesz;
};

absl::Status Invalid(std::string_view file, std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(ToAbsl(file), ": ", ToAbsl(message)));
}

// Reads [offset, offset + size), which the caller has checked lies within the
// file. A file that ends early has shrunk since fstat: reported, not ignored.
absl::StatusOr<std::string> ReadExactly(const Source& src, uint64_t offset,
                                        uint64_t size) {
  std::string out(size, '\0');
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = pread(src.fd, out.data() + done, size - done,
                            static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::ErrnoToStatus(
          errno, absl::StrCat(ToAbsl(src.file), ": reading ", size,
                              " bytes at offset ", offset));
    }
    if (n == 0) {
      return Invalid(src.file, absl::StrCat("file ended at offset ",
                                            offset + done, " while reading ",
                                            size, " bytes at offset ", offset));
    }
    done += static_cast<std::size_t>(n);
  }
  return out;
}

absl::StatusOr<Source> OpenSource(int fd, std::string_view file,
                                  std::string* ehdr, ElfIdentity* identity) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(ToAbsl(file), ": fstat"));
  }
  Source src{fd, file, static_cast<uint64_t>(st.st_size), nullptr, false};
  if (src.size < EI_NIDENT) {
    return Invalid(file, absl::StrCat("not an ELF file (", src.size,
                                      " bytes long)"));
  }
  absl::StatusOr<std::string> ident = ReadExactly(src, 0, EI_NIDENT);
  if (!ident.ok()) return ident.status();
  if (ident->compare(0, SELFMAG, ELFMAG) != 0) {
    return Invalid(file, "not an ELF file (no ELF magic)");
  }
  const int cls = static_cast<unsigned char>((*ident)[EI_CLASS]);
  const int data = static_cast<unsigned char>((*ident)[EI_DATA]);
  if ((cls != ELFCLASS32 && cls != ELFCLASS64) ||
      (data != ELFDATA2LSB && data != ELFDATA2MSB)) {
    return Invalid(file, absl::StrCat("unsupported ELF class ", cls,
                                      " or data encoding ", data));
  }
  src.layout = cls == ELFCLASS64 ? &kElf64 : &kElf32;
  src.big_endian = data == ELFDATA2MSB;
  if (src.size < src.layout->ehdr_size) {
    return Invalid(file, absl::StrCat("truncated ELF header (file size ",
                                      src.size, ", an ", src.layout->name,
                                      " header needs ",
                                      src.layout->ehdr_size, " bytes)"));
  }
  absl::StatusOr<std::string> header =
      ReadExactly(src, 0, src.layout->ehdr_size);
  if (!header.ok()) return header.status();
  *ehdr = *std::move(header);
  identity->elf_class = cls == ELFCLASS64 ? 64 : 32;
  identity->big_endian = src.big_endian;
  identity->machine =
      static_cast<uint16_t>(src.Get(*ehdr, src.layout->machine));
  identity->type = static_cast<uint16_t>(src.Get(*ehdr, src.layout->type));
  return src;
}

absl::StatusOr<std::string> ReadProgramHeaders(const Source& src,
                                               std::string_view ehdr,
                                               uint64_t* phnum) {
  const Layout& l = *src.layout;
  const uint64_t phoff = src.Get(ehdr, l.phoff);
  const uint64_t phentsize = src.Get(ehdr, l.phentsize);
  *phnum = src.Get(ehdr, l.phnum);
  if (*phnum == 0) return std::string();
  if (*phnum == PN_XNUM || *phnum > kMaxProgramHeaders) {
    return Invalid(src.file, absl::StrCat("unsupported number of program "
                                          "headers (", *phnum, ")"));
  }
  if (phentsize != l.phdr_size) {
    return Invalid(src.file, absl::StrCat("program header size e_phentsize "
                                          "is ", phentsize, ", expected ",
                                          l.phdr_size, " for ", l.name));
  }
  if (!FitsWithin(phoff, *phnum * phentsize, src.size)) {
    return Invalid(src.file, absl::StrCat(
        "program header table lies outside the file (offset ", phoff,
        " + size ", *phnum * phentsize, " > file size ", src.size, ")"));
  }
  return ReadExactly(src, phoff, *phnum * phentsize);
}

// Maps a virtual address to a file offset through the PT_LOAD segments; the
// `size` bytes from there must lie in the segment's file image.
std::optional<uint64_t> FileOffsetOf(const std::vector<Segment>& loads,
                                     uint64_t vaddr, uint64_t size) {
  for (const Segment& load : loads) {
    if (vaddr < load.vaddr) continue;
    const uint64_t into = vaddr - load.vaddr;
    if (FitsWithin(into, size, load.filesz)) return load.offset + into;
  }
  return std::nullopt;
}

// The raw entries of the dynamic section that name strings or flags.
struct DynamicTags {
  std::vector<uint64_t> needed;
  std::optional<uint64_t> soname, rpath, runpath, strtab, strsz;
  uint64_t flags_1 = 0;
};

DynamicTags ParseDynamicEntries(const Source& src, std::string_view bytes) {
  const Layout& l = *src.layout;
  DynamicTags tags;
  for (std::size_t at = 0; at + l.dyn_size <= bytes.size(); at += l.dyn_size) {
    const std::string_view entry = bytes.substr(at, l.dyn_size);
    const uint64_t tag = src.Get(entry, l.d_tag);
    const uint64_t value = src.Get(entry, l.d_val);
    if (tag == DT_NULL) break;
    switch (tag) {
      case DT_NEEDED: tags.needed.push_back(value); break;
      case DT_SONAME: tags.soname = value; break;
      case DT_RPATH: tags.rpath = value; break;
      case DT_RUNPATH: tags.runpath = value; break;
      case DT_STRTAB: tags.strtab = value; break;
      case DT_STRSZ: tags.strsz = value; break;
      case DT_FLAGS_1: tags.flags_1 = value; break;
      default: break;
    }
  }
  return tags;
}

absl::StatusOr<std::string> StringAt(const Source& src, std::string_view table,
                                     uint64_t offset, const char* tag) {
  if (offset >= table.size()) {
    return Invalid(src.file, absl::StrCat(tag, " names string offset ", offset,
                                          ", past the end of the string table "
                                          "(DT_STRSZ ", table.size(), ")"));
  }
  const std::size_t end = table.find('\0', offset);
  if (end == std::string_view::npos) {
    return Invalid(src.file, absl::StrCat(tag, " at string offset ", offset,
                                          " has no terminating NUL within "
                                          "the string table"));
  }
  return std::string(table.substr(offset, end - offset));
}

absl::StatusOr<std::string> ReadStringTable(const Source& src,
                                            const DynamicTags& tags,
                                            const std::vector<Segment>& loads) {
  if (!tags.strtab || !tags.strsz) {
    return Invalid(src.file, "the dynamic section names strings but has no "
                             "DT_STRTAB or no DT_STRSZ");
  }
  if (*tags.strsz > kMaxDynamicStringTableBytes) {
    return Invalid(src.file, absl::StrCat("DT_STRSZ is ", *tags.strsz,
                                          " bytes, over the limit of ",
                                          kMaxDynamicStringTableBytes));
  }
  const std::optional<uint64_t> offset =
      FileOffsetOf(loads, *tags.strtab, *tags.strsz);
  if (!offset) {
    return Invalid(src.file, absl::StrCat(
        "DT_STRTAB address 0x", absl::Hex(*tags.strtab), " + DT_STRSZ ",
        *tags.strsz, " lies in no PT_LOAD segment's file image"));
  }
  if (!FitsWithin(*offset, *tags.strsz, src.size)) {
    return Invalid(src.file, absl::StrCat(
        "the dynamic string table lies outside the file (offset ", *offset,
        " + size ", *tags.strsz, " > file size ", src.size, ")"));
  }
  return ReadExactly(src, *offset, *tags.strsz);
}

absl::Status ResolveStrings(const Source& src, const DynamicTags& tags,
                            std::string_view table, ElfDynamic* out) {
  for (uint64_t offset : tags.needed) {
    absl::StatusOr<std::string> name = StringAt(src, table, offset, "DT_NEEDED");
    if (!name.ok()) return name.status();
    out->needed.push_back(*std::move(name));
  }
  const std::pair<const std::optional<uint64_t>*, std::optional<std::string>*>
      optional_strings[] = {{&tags.soname, &out->soname},
                            {&tags.rpath, &out->rpath},
                            {&tags.runpath, &out->runpath}};
  const char* names[] = {"DT_SONAME", "DT_RPATH", "DT_RUNPATH"};
  for (int i = 0; i < 3; ++i) {
    const auto& [offset, value] = optional_strings[i];
    if (!offset->has_value()) continue;
    absl::StatusOr<std::string> text = StringAt(src, table, **offset, names[i]);
    if (!text.ok()) return text.status();
    *value = *std::move(text);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ElfIdentity> ReadElfIdentity(int fd, std::string_view file) {
  std::string ehdr;
  ElfIdentity identity;
  absl::StatusOr<Source> src = OpenSource(fd, file, &ehdr, &identity);
  if (!src.ok()) return src.status();
  return identity;
}

absl::StatusOr<ElfDynamic> ReadElfDynamic(int fd, std::string_view file) {
  ElfDynamic out;
  std::string ehdr;
  absl::StatusOr<Source> src = OpenSource(fd, file, &ehdr, &out.identity);
  if (!src.ok()) return src.status();
  uint64_t phnum = 0;
  absl::StatusOr<std::string> table = ReadProgramHeaders(*src, ehdr, &phnum);
  if (!table.ok()) return table.status();
  const Layout& l = *src->layout;
  std::vector<Segment> loads;
  std::optional<Segment> dynamic;
  for (uint64_t i = 0; i < phnum; ++i) {
    const std::string_view phdr =
        std::string_view(*table).substr(i * l.phdr_size, l.phdr_size);
    const uint64_t type = src->Get(phdr, l.p_type);
    const Segment segment{src->Get(phdr, l.p_offset),
                          src->Get(phdr, l.p_vaddr),
                          src->Get(phdr, l.p_filesz)};
    if (type == PT_LOAD) loads.push_back(segment);
    if (type == PT_DYNAMIC && !dynamic) dynamic = segment;
  }
  if (!dynamic) return out;
  out.has_dynamic = true;
  if (dynamic->filesz > kMaxDynamicSegmentBytes ||
      !FitsWithin(dynamic->offset, dynamic->filesz, src->size)) {
    return Invalid(file, absl::StrCat(
        "the PT_DYNAMIC segment (offset ", dynamic->offset, ", size ",
        dynamic->filesz, ") lies outside the file (size ", src->size,
        ") or exceeds ", kMaxDynamicSegmentBytes, " bytes"));
  }
  absl::StatusOr<std::string> bytes =
      ReadExactly(*src, dynamic->offset, dynamic->filesz);
  if (!bytes.ok()) return bytes.status();
  const DynamicTags tags = ParseDynamicEntries(*src, *bytes);
  out.flags_1 = tags.flags_1;
  if (tags.needed.empty() && !tags.soname && !tags.rpath && !tags.runpath) {
    return out;
  }
  absl::StatusOr<std::string> strings = ReadStringTable(*src, tags, loads);
  if (!strings.ok()) return strings.status();
  if (absl::Status resolved = ResolveStrings(*src, tags, *strings, &out);
      !resolved.ok()) {
    return resolved;
  }
  return out;
}

}  // namespace preload
