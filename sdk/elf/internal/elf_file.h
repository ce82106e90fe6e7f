// Copyright the PreloadSDK authors.
//
// The one reader of ELF headers behind <preload/elf_notes.h> and
// <preload/elf_dynamic.h>: the identification (class, byte order, version),
// the ELF header and the program header table, read with `pread` from an open
// file whose size the caller knows. Everything read is untrusted: each offset
// and size is checked against that size, with arithmetic that cannot
// overflow, before anything is read or allocated.
//
//   ElfFile elf(fd, size, "plugins/hello.so");
//   if (absl::Status s = elf.ReadHeader(); !s.ok()) return s;
//   absl::StatusOr<std::vector<ElfProgramHeader>> phdrs =
//       elf.ReadProgramHeaders();
//
// This is the format seam: Linux and ELF only. Another binary format would
// get a sibling reader, not a branch in this one.
#ifndef PRELOAD_ELF_INTERNAL_ELF_FILE_H_
#define PRELOAD_ELF_INTERNAL_ELF_FILE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace preload::internal {

// More program headers than this and a file is refused as corrupt, so that a
// hostile file cannot make a reader allocate or read without bound.
inline constexpr std::size_t kMaxProgramHeaders = 4096;

// True if [offset, offset + size) lies within `limit`, without overflowing.
inline bool FitsWithin(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

// A `width`-byte unsigned integer of `bytes` at `offset`, in the given byte
// order, whatever the host's (a big-endian plugin can be inspected on a
// little-endian machine); the caller has checked that it lies within `bytes`.
inline uint64_t LoadUnsigned(std::string_view bytes, std::size_t offset,
                             std::size_t width, bool big_endian) {
  // A file in this machine's byte order, the usual case, costs one load.
  constexpr bool kHostBigEndian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
  const char* at = bytes.data() + offset;
  if (big_endian == kHostBigEndian) {
    switch (width) {
      case 2: { uint16_t v; std::memcpy(&v, at, 2); return v; }
      case 4: { uint32_t v; std::memcpy(&v, at, 4); return v; }
      case 8: { uint64_t v; std::memcpy(&v, at, 8); return v; }
      default: break;
    }
  }
  uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const uint64_t byte = static_cast<unsigned char>(at[i]);
    const std::size_t shift = big_endian ? width - 1 - i : i;
    value |= byte << (8 * shift);
  }
  return value;
}

// Where a field lives in a header record, taken from <elf.h>.
struct ElfField {
  std::size_t offset;
  std::size_t width;
};

// The two ELF classes differ only in field positions and widths.
struct ElfClassLayout {
  const char* name;  // "ELF32" or "ELF64", for messages
  int bits;          // 32 or 64
  std::size_t ehdr_size, phdr_size;
  ElfField e_type, e_machine, e_phoff, e_phentsize, e_phnum;
  ElfField p_type, p_offset, p_vaddr, p_filesz, p_align;
};

// What the ELF header says, widened to 64 bits.
struct ElfHeader {
  uint64_t type = 0, machine = 0;
  uint64_t phoff = 0, phentsize = 0, phnum = 0;
};

// One program header, widened to 64 bits; `index` is its place in the table.
struct ElfProgramHeader {
  uint64_t index, type, offset, vaddr, filesz, align;
};

// A program header table, held inline for an ordinary shared object.
using ProgramHeaders = absl::InlinedVector<ElfProgramHeader, 16>;

// A loadable segment: where its file image is, and the address it is mapped at.
struct Segment {
  uint64_t offset, vaddr, filesz;
};

// Maps a virtual address to a file offset through the PT_LOAD segments; the
// `size` bytes from there must lie in the segment's file image.
inline std::optional<uint64_t> FileOffsetOf(absl::Span<const Segment> loads,
                                            uint64_t vaddr, uint64_t size) {
  for (const Segment& load : loads) {
    if (vaddr < load.vaddr) continue;
    const uint64_t into = vaddr - load.vaddr;
    if (FitsWithin(into, size, load.filesz)) return load.offset + into;
  }
  return std::nullopt;
}

// The size of the file open on `fd`, from fstat; `file` names it in errors.
absl::StatusOr<uint64_t> ElfFileSize(int fd, std::string_view file);

// An ELF file open on a descriptor, read from offset 0 to `size`. Never moves
// the file offset. Not copyable: it holds the file's first bytes, which serve
// the headers (and usually the notes) of an ordinary shared object in one read.
class ElfFile {
 public:
  // `size` is the file's size as the caller knows it (from fstat); bytes past
  // it are never read. `file` is used only in error messages.
  ElfFile(int fd, uint64_t size, std::string_view file)
      : fd_(fd), size_(size), file_(file) {}
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;

  // Reads the file's first bytes and checks its identification and ELF
  // header. A file of at most 4096 + kMaxAheadBytes bytes is read whole, in
  // the same system call, as if by ReadAhead. InvalidArgument for a file
  // that is not ELF, of an unknown class, byte order or version, or too short for its header; the errno-derived
  // status if the read fails. Call it first, once.
  absl::Status ReadHeader();

  // The file's first bytes, fetched already through this descriptor (a
  // batched scan, base/internal/batch_reader.h, which asked for `asked`
  // bytes from offset 0): used only if they are all such a read could
  // return, min(size, asked) bytes, and then ReadHeader takes its bytes from
  // them and ReadRange serves any range within them, without a system call.
  // Otherwise, or past them, the descriptor is read as usual. They must
  // outlive this reader.
  void UsePrefetched(std::string_view first_bytes, uint64_t asked);
  // More bytes of the file fetched already through this descriptor: `bytes`
  // from `offset` on. ReadRange serves a range that lies within them (up to
  // kFetchedRanges of them are kept; more are ignored). They must outlive
  // this reader.
  void UsePrefetchedRange(uint64_t offset, std::string_view bytes);
  static constexpr std::size_t kFetchedRanges = 2;

  // The program header table, checked against the file and the limits of
  // <preload/elf_notes.h>; empty when e_phnum is 0 (a relocatable object).
  // Read once: the readers that share this ElfFile (the note, the start-up
  // code, the dynamic section) share the table too.
  absl::StatusOr<const ProgramHeaders*> ReadProgramHeaders() const;

  // Bytes [offset, offset + size), which the caller has checked lie within
  // size(). Served from the bytes already read where possible: the first
  // bytes, and the small ranges read before, which this reader keeps (up to
  // kKeptBytes in all). `storage` holds a range that is not kept, and must
  // outlive the view; a view into what this reader holds lives as long as
  // the reader.
  absl::StatusOr<std::string_view> ReadRange(uint64_t offset, uint64_t size,
                                             std::string* storage) const;
  // The same into a buffer that holds a small range without allocating:
  // what the readers that run on every verification use.
  using RangeBuffer = absl::InlinedVector<char, 1024>;
  absl::StatusOr<std::string_view> ReadRange(uint64_t offset, uint64_t size,
                                             RangeBuffer* storage) const;

  // Reads the `size` bytes at `offset` (within size()) in one pread now, for
  // the reads that follow to take from memory: the start-up code, its
  // arrays and the dynamic section of a small plugin lie in the few pages
  // after the first. At most kMaxAheadBytes; once. Only a shortcut: if the
  // read fails, nothing is kept, and each later read is made, and any error
  // reported, as without it. Nothing is read for a file whose bytes a
  // batched scan fetched (UsePrefetched): it fetched its own ranges.
  static constexpr uint64_t kMaxAheadBytes = 16384;
  void ReadAhead(uint64_t offset, uint64_t size) const;

  // A `width`-byte unsigned integer of `record` at `offset`, in the file's
  // byte order; the caller has checked that it lies within `record`.
  uint64_t Load(std::string_view record, std::size_t offset,
                std::size_t width) const {
    return LoadUnsigned(record, offset, width, big_endian_);
  }
  uint64_t Get(std::string_view record, ElfField field) const {
    return Load(record, field.offset, field.width);
  }

  // What ReadPluginPage (plugin_page.h) found in the first bytes of an
  // ordinary plugin: its one note's descriptor (a view into this reader),
  // its PT_LOAD segments in table order and its first PT_DYNAMIC segment.
  struct Page {
    static constexpr std::size_t kMaxLoads = 8;
    std::string_view note;
    Segment loads[kMaxLoads];
    std::size_t load_count = 0;
    bool has_dynamic = false;
    Segment dynamic{};
  };
  // nullptr unless ReadPluginPage accepted the first bytes.
  const Page* page() const { return page_.has_value() ? &*page_ : nullptr; }
  void KeepPage(const Page& page) { page_ = page; }
  // The first bytes ReadHeader read (min(size(), 4096)).
  std::string_view first_bytes() const { return prefix(); }

  // Names the file `file` in the messages from now on (the loader reads
  // the dynamic section for a file it names by its real path).
  void Rename(std::string_view file) { file_ = file; }

  // InvalidArgument "<file>: <message>".
  absl::Status Invalid(std::string_view message) const;

  uint64_t size() const { return size_; }
  std::string_view file() const { return file_; }
  const ElfClassLayout& layout() const { return *layout_; }
  bool big_endian() const { return big_endian_; }
  const ElfHeader& header() const { return header_; }

 private:
  // One pread of this many bytes serves the headers and notes of an ordinary
  // shared object, which sit at its start; only exotic layouts need a second.
  static constexpr std::size_t kPrefixBytes = 4096;

  // Room for the small ranges read past the first bytes (the start-up
  // code's dynamic section and functions, the dynamic section again for a
  // load): 1,280 bytes for the tiny benchmark plugin.
  static constexpr std::size_t kKeptBytes = 2048;
  static constexpr std::size_t kKeptRanges = 4;
  struct KeptRange {
    uint64_t offset, size;
    std::size_t at;  // in kept_
  };

  std::string_view prefix() const { return {prefix_, prefix_size_}; }
  // ReadRange's work, `storage` being a std::string or a RangeBuffer.
  template <typename Buffer>
  absl::StatusOr<std::string_view> ReadRangeInto(uint64_t offset, uint64_t size,
                                                 Buffer* storage) const;
  absl::Status PreadExactly(char* out, std::size_t size,
                            uint64_t offset) const;
  // `size` bytes at `offset` into `out`: from what ReadAhead read if it
  // holds them, else read.
  absl::Status Fill(char* out, std::size_t size, uint64_t offset) const;
  // The view of [offset, offset + size) in what ReadAhead read, if it is
  // there.
  std::optional<std::string_view> Ahead(uint64_t offset, uint64_t size) const {
    if (ahead_size_ == 0 || offset < ahead_offset_ ||
        !FitsWithin(offset - ahead_offset_, size, ahead_size_)) {
      return std::nullopt;
    }
    return std::string_view(ahead_.get() + (offset - ahead_offset_), size);
  }
  bool ReadSmallFileWhole();
  absl::Status CheckIdent() const;
  absl::Status CheckProgramHeaderTable() const;

  int fd_;
  uint64_t size_;
  mutable bool have_phdrs_ = false;
  mutable ProgramHeaders phdrs_;
  std::string_view file_;
  const ElfClassLayout* layout_ = nullptr;
  bool big_endian_ = false;
  ElfHeader header_;
  std::size_t prefix_size_ = 0;
  bool prefetched_ = false;  // prefix_ holds the first bytes already
  std::string_view fetched_;  // UsePrefetched's bytes [0, n), when used
  struct FetchedRange {
    uint64_t offset;
    std::string_view bytes;
  };
  std::size_t fetched_count_ = 0;
  FetchedRange fetched_ranges_[kFetchedRanges];
  char prefix_[kPrefixBytes];
  std::optional<Page> page_;
  mutable std::unique_ptr<char[]> ahead_;
  mutable uint64_t ahead_offset_ = 0, ahead_size_ = 0;
  mutable std::size_t kept_count_ = 0, kept_used_ = 0;
  mutable KeptRange kept_ranges_[kKeptRanges];
  mutable char kept_[kKeptBytes];
};

// The notes of one owner and type that FindNoteDescs found: how many, and
// the first one's descriptor, a view into the ElfFile's first bytes or into
// `storage`.
struct NoteDescs {
  std::size_t count = 0;
  std::string_view first;
  std::string storage;
};

// ReadHeader, then what FindElfNotes(fd, size, file, owner, type) finds,
// with the same errors, without copying a note (elf_notes.cc). `out` must
// not move while `first` is used.
absl::Status FindNoteDescs(ElfFile& elf, std::string_view owner, uint32_t type,
                           NoteDescs* out);
// The same from an ElfFile whose header is read already.
absl::Status FindNoteDescsAfterHeader(const ElfFile& elf, std::string_view owner,
                                      uint32_t type, NoteDescs* out);

}  // namespace preload::internal

namespace preload {
struct ElfDynamic;  // preload/elf_dynamic.h
}  // namespace preload

namespace preload::internal {

// What ReadElfDynamic(fd, size, file) reads, with the same errors, from an
// ElfFile whose header is read: the loader's one reader of a plugin file
// (elf_dynamic.cc).
absl::Status ReadDynamicSection(const ElfFile& elf, ElfDynamic* out);

}  // namespace preload::internal

#endif  // PRELOAD_ELF_INTERNAL_ELF_FILE_H_
