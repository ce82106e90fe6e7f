// Copyright the PreloadSDK authors.
//
// Tests for the ELF reader's ranges (elf/internal/elf_file.h): what lies past
// the first bytes is read once and kept when small, so that the readers
// sharing one ElfFile (the start-up check, then the load's dynamic section)
// do not read the same bytes twice; and what ReadAhead reads in one go. A range served from what was kept is
// told apart from one read again by rewriting the file in between.
#include "elf/internal/elf_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace preload::internal {
namespace {

// Larger than a file ReadHeader reads whole (4 KiB + kMaxAheadBytes), so
// that ranges past the first bytes are read on demand.
constexpr uint64_t kFileSize = 64 * 1024;

// An ELF64 little-endian header with no program headers, then bytes that
// differ from their neighbours (offset % 251, shifted by `salt`).
std::string Image(int salt, uint64_t size = kFileSize) {
  std::string image(size, '\0');
  for (uint64_t i = 0; i < size; ++i) {
    image[i] = static_cast<char>((i + salt) % 251);
  }
  const char ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  image.replace(0, sizeof(ident), ident, sizeof(ident));
  for (int i = sizeof(ident); i < 64; ++i) image[i] = 0;
  return image;
}

class ElfFileRanges : public ::testing::Test {
 protected:
  void SetUp() override {
    fd_ = ::memfd_create("elf_file_test", MFD_CLOEXEC);
    ASSERT_GE(fd_, 0);
    Write(Image(0));
  }
  void TearDown() override { ::close(fd_); }
  void Write(const std::string& image) {
    ASSERT_EQ(::pwrite(fd_, image.data(), image.size(), 0),
              static_cast<ssize_t>(image.size()));
  }
  std::string Read(const ElfFile& elf, uint64_t offset, uint64_t size) {
    std::string storage;
    absl::StatusOr<std::string_view> bytes = elf.ReadRange(offset, size, &storage);
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    return bytes.ok() ? std::string(*bytes) : std::string();
  }
  int fd_ = -1;
};

TEST_F(ElfFileRanges, RangesPastTheFirstBytesHoldTheFilesBytes) {
  ElfFile elf(fd_, kFileSize, "test.so");
  ASSERT_TRUE(elf.ReadHeader().ok());
  const std::string image = Image(0);
  // Small (kept), straddling the first 4 KiB, within a kept one, larger than
  // the room for kept ranges, and more ranges than are kept.
  const std::pair<uint64_t, uint64_t> ranges[] = {
      {11480, 736}, {4000, 200}, {11736, 480}, {5000, 6000},
      {8000, 100},  {9000, 100}, {10000, 100}, {12000, 300}, {0, 64}};
  for (const auto& [offset, size] : ranges) {
    EXPECT_EQ(Read(elf, offset, size), image.substr(offset, size))
        << offset << " + " << size;
  }
}

TEST_F(ElfFileRanges, ASmallRangeIsReadOnce) {
  ElfFile elf(fd_, kFileSize, "test.so");
  ASSERT_TRUE(elf.ReadHeader().ok());
  std::string storage;
  absl::StatusOr<std::string_view> first = elf.ReadRange(11480, 736, &storage);
  ASSERT_TRUE(first.ok());
  const std::string before = Image(0).substr(11480, 736);
  Write(Image(7));
  // Within the range read before: the same bytes, no new read.
  EXPECT_EQ(Read(elf, 11736, 480), before.substr(11736 - 11480, 480));
  // A range not read before is read now, and the first view still holds.
  EXPECT_EQ(Read(elf, 6000, 100), Image(7).substr(6000, 100));
  EXPECT_EQ(std::string(*first), before);
}

TEST_F(ElfFileRanges, ALargeRangeIsNotKept) {
  ElfFile elf(fd_, kFileSize, "test.so");
  ASSERT_TRUE(elf.ReadHeader().ok());
  EXPECT_EQ(Read(elf, 5000, 6000), Image(0).substr(5000, 6000));
  Write(Image(7));
  EXPECT_EQ(Read(elf, 5000, 100), Image(7).substr(5000, 100));
}

// ReadAhead (the start-up check's one read of a small plugin's next pages):
// every range within it, or straddling the first bytes and it, comes from
// memory, read once.
TEST_F(ElfFileRanges, RangesWithinTheReadAheadAreReadOnce) {
  ElfFile elf(fd_, kFileSize, "test.so");
  ASSERT_TRUE(elf.ReadHeader().ok());
  elf.ReadAhead(4096, 8192);
  const std::string before = Image(0);
  Write(Image(7));
  const std::pair<uint64_t, uint64_t> within[] = {
      {4096, 8192}, {4096, 1}, {12287, 1}, {6000, 3000}, {4000, 500}, {0, 12288}};
  for (const auto& [offset, size] : within) {
    EXPECT_EQ(Read(elf, offset, size), before.substr(offset, size))
        << offset << " + " << size;
  }
  // Past it: read now.
  EXPECT_EQ(Read(elf, 12000, 500), Image(7).substr(12000, 500));
  EXPECT_EQ(Read(elf, 13000, 100), Image(7).substr(13000, 100));
}

TEST_F(ElfFileRanges, AReadAheadOutOfBoundsOrTooLargeKeepsNothing) {
  for (const auto& [offset, size] :
       {std::pair<uint64_t, uint64_t>{kFileSize - 4096, 8192}, {4096, 20000},
        {~uint64_t{0}, 2}, {4096, 0}}) {
    ElfFile elf(fd_, kFileSize, "test.so");
    ASSERT_TRUE(elf.ReadHeader().ok());
    Write(Image(0));
    elf.ReadAhead(offset, size);
    Write(Image(7));
    EXPECT_EQ(Read(elf, 5000, 3000), Image(7).substr(5000, 3000))
        << offset << " + " << size;
  }
}

TEST_F(ElfFileRanges, AFailedReadAheadLeavesTheErrorToTheReadThatNeedsIt) {
  // The caller's size says the file is longer than it is: the read-ahead
  // meets the end, keeps nothing, and the range read later reports it.
  ElfFile elf(fd_, kFileSize + 8192, "test.so");
  ASSERT_TRUE(elf.ReadHeader().ok());
  elf.ReadAhead(kFileSize - 4096, 8192);
  std::string storage;
  absl::StatusOr<std::string_view> bytes =
      elf.ReadRange(kFileSize - 100, 200, &storage);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().message(),
            absl::StrCat("test.so: file ended at offset ", kFileSize,
                         " while reading 200 bytes at offset ", kFileSize - 100,
                         " (did it shrink while read?)"));
  EXPECT_EQ(Read(elf, kFileSize - 4096, 100),
            Image(0).substr(kFileSize - 4096, 100));
}

// A small file is read whole by ReadHeader, in one system call: every range
// of it comes from memory. One byte larger, only the first bytes are.
TEST_F(ElfFileRanges, ASmallFileIsReadWholeWithItsHeader) {
  constexpr uint64_t kSmall = 4096 + ElfFile::kMaxAheadBytes;
  for (const uint64_t size : {uint64_t{4097}, uint64_t{16688}, kSmall, kSmall + 1}) {
    ASSERT_EQ(::ftruncate(fd_, 0), 0);
    Write(Image(0, size));
    ElfFile elf(fd_, size, "test.so");
    ASSERT_TRUE(elf.ReadHeader().ok());
    Write(Image(7, size));
    const std::string expected = size <= kSmall ? Image(0, size) : Image(7, size);
    // (Compared as booleans: a mismatch would print kilobytes.)
    EXPECT_TRUE(Read(elf, 4096, size - 4096) == expected.substr(4096)) << size;
    EXPECT_TRUE(Read(elf, size - 100, 100) == expected.substr(size - 100)) << size;
  }
}

TEST_F(ElfFileRanges, ASmallFileThatShrankIsReportedAsBefore) {
  Write(Image(0, 8192));
  ASSERT_EQ(::ftruncate(fd_, 8192), 0);
  // The caller's size is from before the file shrank to 2,000 bytes.
  ASSERT_EQ(::ftruncate(fd_, 2000), 0);
  ElfFile elf(fd_, 8192, "test.so");
  const absl::Status header = elf.ReadHeader();
  EXPECT_EQ(header.message(),
            "test.so: file ended at offset 2000 while reading 4096 bytes at "
            "offset 0 (did it shrink while read?)");
}

// A batched scan's fetched bytes (UsePrefetched): every range within them is
// served from them, without a read; past them the descriptor is read.
TEST_F(ElfFileRanges, RangesWithinPrefetchedBytesAreServedFromThem) {
  const std::string fetched = Image(3).substr(0, 12288);  // not what the file holds now
  ElfFile elf(fd_, kFileSize, "test.so");
  elf.UsePrefetched(fetched, 12288);
  ASSERT_TRUE(elf.ReadHeader().ok());
  EXPECT_EQ(Read(elf, 11480, 736), fetched.substr(11480, 736));
  EXPECT_EQ(Read(elf, 4000, 200), fetched.substr(4000, 200));
  EXPECT_EQ(Read(elf, 12000, 300), Image(0).substr(12000, 300));  // past them
}

// More ranges fetched (UsePrefetchedRange): a range within one of them is
// served from it; one that crosses its end is read from the descriptor.
TEST_F(ElfFileRanges, RangesWithinPrefetchedRangesAreServedFromThem) {
  const std::string other = Image(5);
  ElfFile elf(fd_, kFileSize, "test.so");
  elf.UsePrefetchedRange(11000, std::string_view(other).substr(11000, 1300));
  elf.UsePrefetchedRange(5000, std::string_view(other).substr(5000, 100));
  ASSERT_TRUE(elf.ReadHeader().ok());
  EXPECT_EQ(Read(elf, 11480, 736), other.substr(11480, 736));
  EXPECT_EQ(Read(elf, 5000, 100), other.substr(5000, 100));
  EXPECT_EQ(Read(elf, 12200, 200), Image(0).substr(12200, 200));  // crosses the end
}

// Bytes that are not all a read of `asked` bytes from a file of this size
// returns (the file changed size between the read and fstat) are not used.
TEST_F(ElfFileRanges, PrefetchedBytesOfAnotherSizeAreReadAgain) {
  for (const auto& [bytes, asked] : {std::pair<uint64_t, uint64_t>{8000, 12288},
                                     std::pair<uint64_t, uint64_t>{4096, 2048}}) {
    const std::string fetched = Image(3).substr(0, bytes);
    ElfFile elf(fd_, kFileSize, "test.so");
    elf.UsePrefetched(fetched, asked);
    ASSERT_TRUE(elf.ReadHeader().ok());
    EXPECT_EQ(Read(elf, 100, 200), Image(0).substr(100, 200)) << bytes << " of " << asked;
    EXPECT_EQ(Read(elf, 5000, 200), Image(0).substr(5000, 200)) << bytes << " of " << asked;
  }
}

}  // namespace
}  // namespace preload::internal
