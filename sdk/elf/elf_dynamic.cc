// Copyright the PreloadSDK authors.
//
// The ELF dynamic-section reader, on the shared header reader
// (internal/elf_file.h). Like it, everything read from the file is untrusted:
// each offset and size is checked against the file with arithmetic that cannot
// overflow before anything is read or allocated.
#include "preload/elf_dynamic.h"

#include <elf.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "elf/internal/elf_file.h"

namespace preload {
namespace {

using internal::ElfField;
using internal::ElfFile;
using internal::ElfProgramHeader;
using internal::FileOffsetOf;
using internal::FitsWithin;
using internal::Segment;

// A dynamic entry's place and fields, per class (only this reader needs them).
struct DynLayout {
  std::size_t size;
  ElfField d_tag, d_val;
};
#define PRELOAD_FIELD(type, member) \
  ElfField { offsetof(type, member), sizeof(type::member) }
constexpr DynLayout kDyn32 = {sizeof(Elf32_Dyn),
                              PRELOAD_FIELD(Elf32_Dyn, d_tag),
                              PRELOAD_FIELD(Elf32_Dyn, d_un)};
constexpr DynLayout kDyn64 = {sizeof(Elf64_Dyn),
                              PRELOAD_FIELD(Elf64_Dyn, d_tag),
                              PRELOAD_FIELD(Elf64_Dyn, d_un)};
#undef PRELOAD_FIELD

const DynLayout& DynLayoutOf(const ElfFile& elf) {
  return elf.layout().bits == 64 ? kDyn64 : kDyn32;
}

ElfIdentity IdentityOf(const ElfFile& elf) {
  ElfIdentity identity;
  identity.elf_class = elf.layout().bits;
  identity.big_endian = elf.big_endian();
  identity.machine = static_cast<uint16_t>(elf.header().machine);
  identity.type = static_cast<uint16_t>(elf.header().type);
  return identity;
}

// The raw entries of the dynamic section that name strings or flags.
struct DynamicTags {
  std::vector<uint64_t> needed;
  std::optional<uint64_t> soname, rpath, runpath, strtab, strsz;
  uint64_t flags_1 = 0;
};

DynamicTags ParseDynamicEntries(const ElfFile& elf, std::string_view bytes) {
  const DynLayout& l = DynLayoutOf(elf);
  DynamicTags tags;
  for (std::size_t at = 0; at + l.size <= bytes.size(); at += l.size) {
    const std::string_view entry = bytes.substr(at, l.size);
    const uint64_t tag = elf.Get(entry, l.d_tag);
    const uint64_t value = elf.Get(entry, l.d_val);
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

absl::StatusOr<std::string> StringAt(const ElfFile& elf, std::string_view table,
                                     uint64_t offset, const char* tag) {
  if (offset >= table.size()) {
    return elf.Invalid(absl::StrCat(tag, " names string offset ", offset,
                                    ", past the end of the string table "
                                    "(DT_STRSZ ", table.size(), ")"));
  }
  const std::size_t end = table.find('\0', offset);
  if (end == std::string_view::npos) {
    return elf.Invalid(absl::StrCat(tag, " at string offset ", offset,
                                    " has no terminating NUL within the "
                                    "string table"));
  }
  return std::string(table.substr(offset, end - offset));
}

// The string table's bytes: a view into `elf` or into `storage`.
absl::StatusOr<std::string_view> ReadStringTable(
    const ElfFile& elf, const DynamicTags& tags,
    const std::vector<Segment>& loads, std::string* storage) {
  if (!tags.strtab || !tags.strsz) {
    return elf.Invalid("the dynamic section names strings but has no "
                       "DT_STRTAB or no DT_STRSZ");
  }
  if (*tags.strsz > kMaxDynamicStringTableBytes) {
    return elf.Invalid(absl::StrCat("DT_STRSZ is ", *tags.strsz,
                                    " bytes, over the limit of ",
                                    kMaxDynamicStringTableBytes));
  }
  const std::optional<uint64_t> offset =
      FileOffsetOf(loads, *tags.strtab, *tags.strsz);
  if (!offset) {
    return elf.Invalid(absl::StrCat(
        "DT_STRTAB address 0x", absl::Hex(*tags.strtab), " + DT_STRSZ ",
        *tags.strsz, " lies in no PT_LOAD segment's file image"));
  }
  if (!FitsWithin(*offset, *tags.strsz, elf.size())) {
    return elf.Invalid(absl::StrCat(
        "the dynamic string table lies outside the file (offset ", *offset,
        " + size ", *tags.strsz, " > file size ", elf.size(), ")"));
  }
  return elf.ReadRange(*offset, *tags.strsz, storage);
}

absl::Status ResolveStrings(const ElfFile& elf, const DynamicTags& tags,
                            std::string_view table, ElfDynamic* out) {
  for (uint64_t offset : tags.needed) {
    absl::StatusOr<std::string> name =
        StringAt(elf, table, offset, "DT_NEEDED");
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
    absl::StatusOr<std::string> text = StringAt(elf, table, **offset, names[i]);
    if (!text.ok()) return text.status();
    *value = *std::move(text);
  }
  return absl::OkStatus();
}

// The PT_LOAD segments, for mapping addresses to file offsets, and the first
// PT_DYNAMIC.
struct DynamicHeaders {
  std::vector<Segment> loads;
  std::optional<Segment> dynamic;
};

DynamicHeaders FindDynamicHeaders(const internal::ProgramHeaders& phdrs) {
  DynamicHeaders headers;
  for (const ElfProgramHeader& phdr : phdrs) {
    const Segment segment{phdr.offset, phdr.vaddr, phdr.filesz};
    if (phdr.type == PT_LOAD) headers.loads.push_back(segment);
    if (phdr.type == PT_DYNAMIC && !headers.dynamic) {
      headers.dynamic = segment;
    }
  }
  return headers;
}

// The bytes of the PT_DYNAMIC segment: a view into `elf` or into `storage`.
absl::StatusOr<std::string_view> ReadDynamicSegment(const ElfFile& elf,
                                                    const Segment& dynamic,
                                                    std::string* storage) {
  if (dynamic.filesz > kMaxDynamicSegmentBytes ||
      !FitsWithin(dynamic.offset, dynamic.filesz, elf.size())) {
    return elf.Invalid(absl::StrCat(
        "the PT_DYNAMIC segment (offset ", dynamic.offset, ", size ",
        dynamic.filesz, ") lies outside the file (size ", elf.size(),
        ") or exceeds ", kMaxDynamicSegmentBytes, " bytes"));
  }
  return elf.ReadRange(dynamic.offset, dynamic.filesz, storage);
}

// Fills `out` from the dynamic section of `elf`, whose header has been read.
absl::Status ReadDynamic(const ElfFile& elf, ElfDynamic* out) {
  absl::StatusOr<const internal::ProgramHeaders*> phdrs =
      elf.ReadProgramHeaders();
  if (!phdrs.ok()) return phdrs.status();
  const DynamicHeaders headers = FindDynamicHeaders(**phdrs);
  if (!headers.dynamic) return absl::OkStatus();
  out->has_dynamic = true;
  std::string dynamic_storage;
  absl::StatusOr<std::string_view> bytes =
      ReadDynamicSegment(elf, *headers.dynamic, &dynamic_storage);
  if (!bytes.ok()) return bytes.status();
  const DynamicTags tags = ParseDynamicEntries(elf, *bytes);
  out->flags_1 = tags.flags_1;
  if (tags.needed.empty() && !tags.soname && !tags.rpath && !tags.runpath) {
    return absl::OkStatus();
  }
  std::string string_storage;
  absl::StatusOr<std::string_view> strings =
      ReadStringTable(elf, tags, headers.loads, &string_storage);
  if (!strings.ok()) return strings.status();
  return ResolveStrings(elf, tags, *strings, out);
}

}  // namespace

absl::StatusOr<ElfIdentity> ReadElfIdentity(int fd, std::string_view file) {
  absl::StatusOr<uint64_t> size = internal::ElfFileSize(fd, file);
  if (!size.ok()) return size.status();
  ElfFile elf(fd, *size, file);
  if (absl::Status header = elf.ReadHeader(); !header.ok()) return header;
  return IdentityOf(elf);
}

absl::StatusOr<ElfDynamic> ReadElfDynamic(int fd, std::string_view file) {
  absl::StatusOr<uint64_t> size = internal::ElfFileSize(fd, file);
  if (!size.ok()) return size.status();
  return ReadElfDynamic(fd, *size, file);
}

absl::StatusOr<ElfDynamic> ReadElfDynamic(int fd, uint64_t file_size,
                                          std::string_view file) {
  ElfFile elf(fd, file_size, file);
  if (absl::Status header = elf.ReadHeader(); !header.ok()) return header;
  ElfDynamic out;
  if (absl::Status read = internal::ReadDynamicSection(elf, &out); !read.ok()) {
    return read;
  }
  return out;
}

absl::Status internal::ReadDynamicSection(const ElfFile& elf, ElfDynamic* out) {
  out->identity = IdentityOf(elf);
  return ReadDynamic(elf, out);
}

}  // namespace preload
