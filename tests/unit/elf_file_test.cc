// Copyright the PreloadSDK authors.
//
// Tests for the ELF reader's ranges (elf/internal/elf_file.h): what lies past
// the first bytes is read once and kept when small, so that the readers
// sharing one ElfFile (the start-up check, then the load's dynamic section)
// do not read the same bytes twice. A range served from what was kept is
// told apart from one read again by rewriting the file in between.
#include "elf/internal/elf_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace preload::internal {
namespace {

constexpr uint64_t kFileSize = 16 * 1024;

// An ELF64 little-endian header with no program headers, then bytes that
// differ from their neighbours (offset % 251, shifted by `salt`).
std::string Image(int salt) {
  std::string image(kFileSize, '\0');
  for (uint64_t i = 0; i < kFileSize; ++i) {
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
