// Copyright the PreloadSDK authors.
//
// Reads the first bytes of the functions a library runs when it is mapped
// (startup_code.h). Every address and size comes from the file and is
// checked against it before anything is read.
#include "elf/internal/startup_code.h"

#include <elf.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "elf/internal/elf_file.h"
#include "preload/elf_dynamic.h"

namespace preload::internal {
namespace {

// Where the start-up functions are listed, from the dynamic section.
struct StartupTags {
  std::optional<uint64_t> init;
  uint64_t arrays[2][2] = {{0, 0}, {0, 0}};  // {address, size}: preinit, init
};

// Records one entry of the dynamic section; false at DT_NULL, its end.
bool AddStartupTag(uint64_t tag, uint64_t value, StartupTags* tags) {
  switch (tag) {
    case DT_NULL: return false;
    case DT_INIT: tags->init = value; break;
    case DT_PREINIT_ARRAY: tags->arrays[0][0] = value; break;
    case DT_PREINIT_ARRAYSZ: tags->arrays[0][1] = value; break;
    case DT_INIT_ARRAY: tags->arrays[1][0] = value; break;
    case DT_INIT_ARRAYSZ: tags->arrays[1][1] = value; break;
    default: break;
  }
  return true;
}

StartupTags ParseStartupTags(const ElfFile& elf, std::string_view dynamic) {
  StartupTags tags;
  constexpr bool kHostBigEndian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
  if (elf.layout().bits == 64 && elf.big_endian() == kHostBigEndian) {
    // The usual file, in this machine's layout: one copy per entry.
    for (std::size_t at = 0; at + sizeof(Elf64_Dyn) <= dynamic.size();
         at += sizeof(Elf64_Dyn)) {
      Elf64_Dyn entry;
      std::memcpy(&entry, dynamic.data() + at, sizeof entry);
      if (!AddStartupTag(static_cast<uint64_t>(entry.d_tag), entry.d_un.d_val, &tags)) {
        break;
      }
    }
    return tags;
  }
  const std::size_t entry = elf.layout().bits == 64 ? sizeof(Elf64_Dyn)
                                                    : sizeof(Elf32_Dyn);
  const std::size_t word = entry / 2;
  for (std::size_t at = 0; at + entry <= dynamic.size(); at += entry) {
    if (!AddStartupTag(elf.Load(dynamic, at, word),
                       elf.Load(dynamic, at + word, word), &tags)) {
      break;
    }
  }
  return tags;
}

// Bytes already read from the file, from `offset` on.
struct Window {
  uint64_t offset;
  std::string_view bytes;
};
constexpr uint64_t kArrayWindow = 256;

// The function addresses of one array: `size` bytes at `address`, from
// `window` when it holds them.
using Loads = absl::InlinedVector<Segment, 8>;
using Addresses = absl::InlinedVector<uint64_t, 8>;

absl::Status ReadArray(const ElfFile& elf, absl::Span<const Segment> loads,
                       const Window& window, uint64_t address, uint64_t size,
                       Addresses* out) {
  if (size == 0) return absl::OkStatus();
  const std::size_t word = elf.layout().bits / 8;
  if (size % word != 0 || size / word > kMaxStartupFunctions) {
    return elf.Invalid(absl::StrCat("a start-up function array of ", size,
                                    " bytes: not a whole number of at most ",
                                    kMaxStartupFunctions, " addresses"));
  }
  const std::optional<uint64_t> offset = FileOffsetOf(loads, address, size);
  if (!offset || !FitsWithin(*offset, size, elf.size())) {
    return elf.Invalid(absl::StrCat("the start-up function array at 0x",
                                    absl::Hex(address),
                                    " lies outside the file's segments"));
  }
  ElfFile::RangeBuffer storage;
  absl::StatusOr<std::string_view> bytes =
      *offset >= window.offset &&
              FitsWithin(*offset - window.offset, size, window.bytes.size())
          ? window.bytes.substr(*offset - window.offset, size)
          : elf.ReadRange(*offset, size, &storage);
  if (!bytes.ok()) return bytes.status();
  const uint64_t none = elf.layout().bits == 64 ? ~uint64_t{0} : 0xffffffffu;
  for (std::size_t at = 0; at < bytes->size(); at += word) {
    const uint64_t function = elf.Load(*bytes, at, word);
    // 0: a slot filled only by a relocation; -1: the old .ctors sentinel.
    if (function != 0 && function != none) out->push_back(function);
  }
  return absl::OkStatus();
}

// The file offset of `address` and how many bytes of its segment's file
// image follow it, at most kStartupCodeBytes.
std::optional<std::pair<uint64_t, uint64_t>> CodeRange(
    absl::Span<const Segment> loads, uint64_t address, uint64_t file_size) {
  for (const Segment& load : loads) {
    if (address < load.vaddr || address - load.vaddr >= load.filesz) continue;
    const uint64_t into = address - load.vaddr;
    const uint64_t offset = load.offset + into;
    if (offset >= file_size) return std::nullopt;
    const uint64_t left = std::min(load.filesz - into, file_size - offset);
    return std::make_pair(offset, std::min<uint64_t>(left, kStartupCodeBytes));
  }
  return std::nullopt;
}

// The functions' first bytes. Start-up functions of one library lie close
// together in its text, so one read usually serves them all.
absl::Status ReadCode(const ElfFile& elf, absl::Span<const Segment> loads,
                      StartupCode* out) {
  struct Wanted {
    std::size_t index;
    uint64_t offset, size;
  };
  absl::InlinedVector<Wanted, 4> wanted;
  wanted.reserve(out->functions.size());
  for (std::size_t i = 0; i < out->functions.size(); ++i) {
    const auto range = CodeRange(loads, out->functions[i].address, elf.size());
    if (!range) {
      return elf.Invalid(absl::StrCat(
          "the start-up function at 0x", absl::Hex(out->functions[i].address),
          " lies in no PT_LOAD segment's file image"));
    }
    wanted.push_back({i, range->first, range->second});
  }
  std::sort(wanted.begin(), wanted.end(),
            [](const Wanted& a, const Wanted& b) { return a.offset < b.offset; });
  constexpr uint64_t kSpan = 4096;  // one read for functions this close
  for (std::size_t first = 0; first < wanted.size();) {
    std::size_t last = first;
    uint64_t end = wanted[first].offset + wanted[first].size;
    while (last + 1 < wanted.size() &&
           wanted[last + 1].offset + wanted[last + 1].size - wanted[first].offset <= kSpan) {
      ++last;
      end = std::max(end, wanted[last].offset + wanted[last].size);
    }
    ElfFile::RangeBuffer storage;
    absl::StatusOr<std::string_view> bytes =
        elf.ReadRange(wanted[first].offset, end - wanted[first].offset, &storage);
    if (!bytes.ok()) return bytes.status();
    for (std::size_t i = first; i <= last; ++i) {
      StartupFunction& function = out->functions[wanted[i].index];
      function.size = bytes->copy(function.bytes, wanted[i].size,
                                  wanted[i].offset - wanted[first].offset);
    }
    first = last + 1;
  }
  return absl::OkStatus();
}

// The functions listed in the dynamic section at `dynamic`, `loads` being
// the file's PT_LOAD segments in table order.
absl::Status ReadFromDynamic(const ElfFile& elf, absl::Span<const Segment> loads,
                             const Segment* dynamic, StartupCode* out) {
  if (dynamic == nullptr) return absl::OkStatus();
  if (dynamic->filesz > kMaxDynamicSegmentBytes ||
      !FitsWithin(dynamic->offset, dynamic->filesz, elf.size())) {
    return elf.Invalid("the PT_DYNAMIC segment lies outside the file or is "
                       "too large");
  }
  // A small plugin's start-up functions, init arrays and dynamic section
  // all lie in the few pages after its first: one read serves them all.
  const uint64_t read = elf.first_bytes().size();
  const uint64_t end = dynamic->offset + dynamic->filesz;
  if (end > read) elf.ReadAhead(read, end - read);
  // The init arrays usually sit just before the dynamic section (both in
  // the RELRO part of the data segment): one read serves both.
  const uint64_t before = std::min<uint64_t>(dynamic->offset, kArrayWindow);
  Window window{dynamic->offset - before, {}};
  ElfFile::RangeBuffer storage;
  absl::StatusOr<std::string_view> bytes = elf.ReadRange(
      window.offset, before + dynamic->filesz, &storage);
  if (!bytes.ok()) return bytes.status();
  window.bytes = *bytes;
  const StartupTags tags = ParseStartupTags(elf, bytes->substr(before));
  Addresses addresses;
  for (const auto& array : tags.arrays) {
    absl::Status read =
        ReadArray(elf, loads, window, array[0], array[1], &addresses);
    if (!read.ok()) return read;
  }
  if (tags.init && *tags.init != 0) addresses.push_back(*tags.init);
  out->functions.resize(addresses.size());
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    out->functions[i].address = addresses[i];
  }
  return ReadCode(elf, loads, out);
}

absl::Status ReadStartup(const ElfFile& elf, StartupCode* out) {
  // The segments the loader's pass over the first page found (plugin_page.h).
  if (const ElfFile::Page* page = elf.page()) {
    return ReadFromDynamic(elf, {page->loads, page->load_count},
                           page->has_dynamic ? &page->dynamic : nullptr, out);
  }
  absl::StatusOr<const ProgramHeaders*> phdrs = elf.ReadProgramHeaders();
  if (!phdrs.ok()) return phdrs.status();
  Loads loads;
  std::optional<Segment> dynamic;
  for (const ElfProgramHeader& phdr : **phdrs) {
    const Segment segment{phdr.offset, phdr.vaddr, phdr.filesz};
    if (phdr.type == PT_LOAD) loads.push_back(segment);
    if (phdr.type == PT_DYNAMIC && !dynamic) dynamic = segment;
  }
  return ReadFromDynamic(elf, loads, dynamic ? &*dynamic : nullptr, out);
}

}  // namespace

absl::StatusOr<StartupCode> ReadStartupCode(int fd, uint64_t size,
                                            std::string_view file) {
  ElfFile elf(fd, size, file);
  if (absl::Status header = elf.ReadHeader(); !header.ok()) return header;
  StartupCode out;
  if (absl::Status read = ReadStartupCode(elf, &out); !read.ok()) return read;
  return out;
}

absl::Status ReadStartupCode(const ElfFile& elf, StartupCode* out) {
  out->machine = static_cast<uint16_t>(elf.header().machine);
  return ReadStartup(elf, out);
}

}  // namespace preload::internal
