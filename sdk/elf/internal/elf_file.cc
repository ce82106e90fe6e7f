// Copyright the PreloadSDK authors.
//
// The shared ELF header reader (elf_file.h). Its messages are the ones users
// of ReadElfNotes and ReadElfDynamic see for a malformed header.
#include "elf/internal/elf_file.h"

#include <elf.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/internal/errno_status.h"
#include "base/internal/string_view.h"

namespace preload::internal {
namespace {

#define PRELOAD_FIELD(type, member) \
  ElfField { offsetof(type, member), sizeof(type::member) }

constexpr ElfClassLayout kElf32 = {
    "ELF32", 32, sizeof(Elf32_Ehdr), sizeof(Elf32_Phdr),
    PRELOAD_FIELD(Elf32_Ehdr, e_type), PRELOAD_FIELD(Elf32_Ehdr, e_machine),
    PRELOAD_FIELD(Elf32_Ehdr, e_phoff), PRELOAD_FIELD(Elf32_Ehdr, e_phentsize),
    PRELOAD_FIELD(Elf32_Ehdr, e_phnum), PRELOAD_FIELD(Elf32_Phdr, p_type),
    PRELOAD_FIELD(Elf32_Phdr, p_offset), PRELOAD_FIELD(Elf32_Phdr, p_vaddr),
    PRELOAD_FIELD(Elf32_Phdr, p_filesz), PRELOAD_FIELD(Elf32_Phdr, p_align)};
constexpr ElfClassLayout kElf64 = {
    "ELF64", 64, sizeof(Elf64_Ehdr), sizeof(Elf64_Phdr),
    PRELOAD_FIELD(Elf64_Ehdr, e_type), PRELOAD_FIELD(Elf64_Ehdr, e_machine),
    PRELOAD_FIELD(Elf64_Ehdr, e_phoff), PRELOAD_FIELD(Elf64_Ehdr, e_phentsize),
    PRELOAD_FIELD(Elf64_Ehdr, e_phnum), PRELOAD_FIELD(Elf64_Phdr, p_type),
    PRELOAD_FIELD(Elf64_Phdr, p_offset), PRELOAD_FIELD(Elf64_Phdr, p_vaddr),
    PRELOAD_FIELD(Elf64_Phdr, p_filesz), PRELOAD_FIELD(Elf64_Phdr, p_align)};
#undef PRELOAD_FIELD

}  // namespace

absl::StatusOr<uint64_t> ElfFileSize(int fd, std::string_view file) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    return ErrnoStatus(errno, absl::StrCat(ToAbsl(file), ": fstat"));
  }
  return static_cast<uint64_t>(st.st_size);
}

absl::Status ElfFile::Invalid(std::string_view message) const {
  return absl::InvalidArgumentError(
      absl::StrCat(ToAbsl(file_), ": ", ToAbsl(message)));
}

// pread until `size` bytes arrive: reads may be cut short by signals, and a
// file that ends early has shrunk since fstat, which we report, not ignore.
absl::Status ElfFile::PreadExactly(char* out, std::size_t size,
                                   uint64_t offset) const {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = pread(fd_, out + done, size - done,
                            static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return ErrnoStatus(
          errno, absl::StrCat(ToAbsl(file_), ": reading ", size,
                              " bytes at offset ", offset));
    }
    if (n == 0) {
      return Invalid(absl::StrCat("file ended at offset ", offset + done,
                                  " while reading ", size, " bytes at offset ",
                                  offset, " (did it shrink while read?)"));
    }
    done += static_cast<std::size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status ElfFile::Fill(char* out, std::size_t size, uint64_t offset) const {
  if (std::optional<std::string_view> ahead = Ahead(offset, size)) {
    std::memcpy(out, ahead->data(), size);
    return absl::OkStatus();
  }
  return PreadExactly(out, size, offset);
}

// A small plugin (the first bytes and at most kMaxAheadBytes more) is read
// whole, in the one system call that reads its first bytes: its start-up
// code and dynamic section then cost no read of their own. Any failure or
// short read (a file that shrank) keeps nothing, and the first bytes are
// read as usual, which words the error.
bool ElfFile::ReadSmallFileWhole() {
  if (size_ <= kPrefixBytes || size_ - kPrefixBytes > kMaxAheadBytes) return false;
  const uint64_t rest = size_ - kPrefixBytes;
  std::unique_ptr<char[]> bytes(new char[rest]);  // left uninitialised
  struct iovec parts[2] = {{prefix_, kPrefixBytes}, {bytes.get(), rest}};
  ssize_t n;
  do {
    n = ::preadv(fd_, parts, 2, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0 || static_cast<uint64_t>(n) != size_) return false;
  ahead_ = std::move(bytes);
  ahead_offset_ = kPrefixBytes;
  ahead_size_ = rest;
  return true;
}

void ElfFile::ReadAhead(uint64_t offset, uint64_t size) const {
  // A batched scan fetched the ranges it expects to be read (UsePrefetched,
  // UsePrefetchedRange): reading ahead would read them a second time.
  if (prefetched_ || ahead_ != nullptr || size == 0 || size > kMaxAheadBytes ||
      !FitsWithin(offset, size, size_)) {
    return;
  }
  std::unique_ptr<char[]> bytes(new char[size]);  // left uninitialised
  // A failed read is made again, and reported, by the reader that needs it.
  if (!PreadExactly(bytes.get(), size, offset).ok()) return;
  ahead_ = std::move(bytes);
  ahead_offset_ = offset;
  ahead_size_ = size;
}

template <typename Buffer>
absl::StatusOr<std::string_view> ElfFile::ReadRangeInto(uint64_t offset,
                                                        uint64_t size,
                                                        Buffer* storage) const {
  const std::string_view p = prefix();
  if (FitsWithin(offset, size, p.size())) return p.substr(offset, size);
  if (std::optional<std::string_view> ahead = Ahead(offset, size)) return *ahead;
  if (FitsWithin(offset, size, fetched_.size())) return fetched_.substr(offset, size);
  for (std::size_t i = 0; i < fetched_count_; ++i) {
    const FetchedRange& range = fetched_ranges_[i];
    if (offset >= range.offset && FitsWithin(offset - range.offset, size, range.bytes.size())) {
      return range.bytes.substr(offset - range.offset, size);
    }
  }
  for (std::size_t i = 0; i < kept_count_; ++i) {
    const KeptRange& kept = kept_ranges_[i];
    if (offset >= kept.offset && FitsWithin(offset - kept.offset, size, kept.size)) {
      return std::string_view(kept_ + kept.at + (offset - kept.offset), size);
    }
  }
  // A small range is read into this reader's own room and kept there, so
  // that the next reader of the same bytes (the load's dynamic section, read
  // by the start-up check a moment before) makes no system call for them.
  const bool keep = kept_count_ < kKeptRanges && size <= kKeptBytes - kept_used_;
  char* out = keep ? kept_ + kept_used_ : nullptr;
  if (!keep) {
    storage->resize(size);
    out = storage->data();
  }
  const uint64_t from_prefix = offset < p.size() ? p.size() - offset : 0;
  if (from_prefix > 0) p.copy(out, from_prefix, offset);
  absl::Status read =
      Fill(out + from_prefix, size - from_prefix, offset + from_prefix);
  if (!read.ok()) return read;
  if (keep) {
    kept_ranges_[kept_count_++] = {offset, size, kept_used_};
    kept_used_ += size;
  }
  return std::string_view(out, size);
}

absl::StatusOr<std::string_view> ElfFile::ReadRange(
    uint64_t offset, uint64_t size, std::string* storage) const {
  return ReadRangeInto(offset, size, storage);
}

absl::StatusOr<std::string_view> ElfFile::ReadRange(
    uint64_t offset, uint64_t size, RangeBuffer* storage) const {
  return ReadRangeInto(offset, size, storage);
}

absl::Status ElfFile::CheckIdent() const {
  const std::string_view p = prefix();
  if (p.size() < SELFMAG) {
    return Invalid(absl::StrCat("not an ELF file (", p.size(),
                                " bytes long, shorter than the ", SELFMAG,
                                "-byte ELF magic)"));
  }
  if (p.compare(0, SELFMAG, ELFMAG) != 0) {
    return Invalid(absl::StrFormat(
        "not an ELF file (magic is %02x %02x %02x %02x, expected 7f 45 4c 46)",
        p[0] & 0xff, p[1] & 0xff, p[2] & 0xff, p[3] & 0xff));
  }
  if (p.size() < EI_NIDENT) {
    return Invalid(absl::StrCat("truncated ELF identification (", p.size(),
                                " bytes, expected ", EI_NIDENT, ")"));
  }
  const int cls = static_cast<unsigned char>(p[EI_CLASS]);
  const int data = static_cast<unsigned char>(p[EI_DATA]);
  const int version = static_cast<unsigned char>(p[EI_VERSION]);
  if (cls != ELFCLASS32 && cls != ELFCLASS64) {
    return Invalid(absl::StrCat("unsupported ELF class ", cls,
                                " (expected 1 for ELFCLASS32 or 2 for "
                                "ELFCLASS64)"));
  }
  if (data != ELFDATA2LSB && data != ELFDATA2MSB) {
    return Invalid(absl::StrCat("unsupported ELF data encoding ", data,
                                " (expected 1 for ELFDATA2LSB or 2 for "
                                "ELFDATA2MSB)"));
  }
  if (version != EV_CURRENT) {
    return Invalid(absl::StrCat("unsupported ELF version ", version,
                                " in e_ident (expected ", EV_CURRENT, ")"));
  }
  return absl::OkStatus();
}

void ElfFile::UsePrefetched(std::string_view first_bytes, uint64_t asked) {
  // A read that returned other than min(size, asked) bytes saw a file of
  // another size than fstat did: read it again the ordinary way.
  if (asked < kPrefixBytes || first_bytes.size() != std::min(size_, asked)) return;
  prefix_size_ =
      static_cast<std::size_t>(std::min<uint64_t>(size_, kPrefixBytes));
  prefetched_ = true;
  std::memcpy(prefix_, first_bytes.data(), prefix_size_);
  fetched_ = first_bytes;
}

void ElfFile::UsePrefetchedRange(uint64_t offset, std::string_view bytes) {
  if (fetched_count_ < kFetchedRanges) fetched_ranges_[fetched_count_++] = {offset, bytes};
}

absl::Status ElfFile::ReadHeader() {
  // A file of any class long enough for its header has all of it in prefix_.
  static_assert(sizeof(Elf64_Ehdr) <= kPrefixBytes);
  prefix_size_ =
      static_cast<std::size_t>(std::min<uint64_t>(size_, kPrefixBytes));
  if (absl::Status read = prefetched_ || ReadSmallFileWhole()
                              ? absl::OkStatus()
                              : PreadExactly(prefix_, prefix_size_, 0);
      !read.ok()) {
    return read;
  }
  if (absl::Status ident = CheckIdent(); !ident.ok()) return ident;
  layout_ = prefix_[EI_CLASS] == ELFCLASS64 ? &kElf64 : &kElf32;
  big_endian_ = prefix_[EI_DATA] == ELFDATA2MSB;
  if (prefix_size_ < layout_->ehdr_size) {
    return Invalid(absl::StrCat("truncated ELF header (file size ", size_,
                                ", an ", layout_->name, " header needs ",
                                layout_->ehdr_size, " bytes)"));
  }
  const std::string_view ehdr = prefix();
  header_.type = Get(ehdr, layout_->e_type);
  header_.machine = Get(ehdr, layout_->e_machine);
  header_.phoff = Get(ehdr, layout_->e_phoff);
  header_.phentsize = Get(ehdr, layout_->e_phentsize);
  header_.phnum = Get(ehdr, layout_->e_phnum);
  return absl::OkStatus();
}

// Checks the table's shape and place; called only when e_phnum is not 0.
absl::Status ElfFile::CheckProgramHeaderTable() const {
  const ElfHeader& h = header_;
  if (h.phnum == PN_XNUM) {
    return Invalid("extended program header numbering (e_phnum = 0xffff) is "
                   "not supported");
  }
  if (h.phnum > kMaxProgramHeaders) {
    return Invalid(absl::StrCat("too many program headers (", h.phnum,
                                ", limit ", kMaxProgramHeaders, ")"));
  }
  if (h.phentsize != layout_->phdr_size) {
    return Invalid(absl::StrCat("program header size e_phentsize is ",
                                h.phentsize, ", expected ", layout_->phdr_size,
                                " for ", layout_->name));
  }
  // phnum and phentsize are now small, so their product cannot overflow.
  const uint64_t table_size = h.phnum * h.phentsize;
  if (!FitsWithin(h.phoff, table_size, size_)) {
    return Invalid(absl::StrCat(
        "program header table lies outside the file (offset ", h.phoff,
        " + size ", table_size, " > file size ", size_, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<const ProgramHeaders*> ElfFile::ReadProgramHeaders() const {
  if (have_phdrs_) return &phdrs_;
  const ElfHeader& h = header_;
  if (h.phnum == 0) {
    have_phdrs_ = true;
    return &phdrs_;
  }
  if (absl::Status table = CheckProgramHeaderTable(); !table.ok()) {
    return table;
  }
  std::string storage;
  absl::StatusOr<std::string_view> table =
      ReadRange(h.phoff, h.phnum * h.phentsize, &storage);
  if (!table.ok()) return table.status();
  const ElfClassLayout& l = *layout_;
  constexpr bool kHostBigEndian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
  if (layout_ == &kElf64 && big_endian_ == kHostBigEndian) {
    // The usual file, in this machine's layout: one copy per header.
    phdrs_.resize(h.phnum);
    ElfProgramHeader* out = phdrs_.data();
    for (uint64_t i = 0; i < h.phnum; ++i) {
      Elf64_Phdr phdr;
      std::memcpy(&phdr, table->data() + i * sizeof phdr, sizeof phdr);
      out[i] = {i, phdr.p_type, phdr.p_offset, phdr.p_vaddr, phdr.p_filesz,
                phdr.p_align};
    }
    have_phdrs_ = true;
    return &phdrs_;
  }
  phdrs_.reserve(h.phnum);
  for (uint64_t i = 0; i < h.phnum; ++i) {
    const std::string_view phdr = table->substr(i * h.phentsize, h.phentsize);
    phdrs_.push_back({i, Get(phdr, l.p_type), Get(phdr, l.p_offset),
                      Get(phdr, l.p_vaddr), Get(phdr, l.p_filesz),
                      Get(phdr, l.p_align)});
  }
  have_phdrs_ = true;
  return &phdrs_;
}

}  // namespace preload::internal
