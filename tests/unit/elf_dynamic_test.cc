// Copyright the PreloadSDK authors.
//
// Tests for preload/elf_dynamic.h. Synthetic images are assembled from the
// gABI's field offsets written out by hand (not from <elf.h>), so that a
// layout mistake in the reader cannot hide behind the same one in the test.
#include "preload/elf_dynamic.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "elf_variant.h"
#include "gtest/gtest.h"

namespace preload {
namespace {

constexpr char kFile[] = "plugins/dyn.so";
constexpr uint64_t kBase = 0x400000;  // vaddr of file offset 0: not identity.

struct TestLayout {
  std::size_t ehdr, phdr, word;
  std::size_t e_machine, e_phoff, e_phentsize, e_phnum;
  std::size_t p_offset, p_vaddr, p_filesz;
};
constexpr TestLayout kLayout32 = {52, 32, 4, 18, 28, 42, 44, 4, 8, 16};
constexpr TestLayout kLayout64 = {64, 56, 8, 18, 32, 54, 56, 8, 16, 32};

void Put(std::string* image, std::size_t offset, uint64_t value,
         std::size_t width, bool big) {
  if (image->size() < offset + width) image->resize(offset + width, '\0');
  for (std::size_t i = 0; i < width; ++i) {
    (*image)[offset + i] =
        static_cast<char>(value >> (8 * (big ? width - 1 - i : i)));
  }
}

struct DynSpec {
  bool is64 = true;
  bool big = false;
  std::vector<std::pair<uint64_t, uint64_t>> entries;  // tag, value
  std::string strtab;
  bool with_dynamic = true;
  bool with_load = true;
  int64_t strtab_vaddr_shift = 0;  // moves DT_STRTAB away from the table
  uint64_t dynamic_offset = 0;     // 0: where it is written
};

// Header, PT_LOAD (whole file at kBase) and PT_DYNAMIC, then the dynamic
// entries, then the string table. DT_STRTAB and DT_STRSZ are added here.
std::string BuildElf(const DynSpec& spec) {
  const TestLayout& l = spec.is64 ? kLayout64 : kLayout32;
  const bool big = spec.big;
  std::string image(l.ehdr + 2 * l.phdr, '\0');
  image.replace(0, 4, "\x7f" "ELF");
  image[4] = spec.is64 ? 2 : 1;
  image[5] = big ? 2 : 1;
  image[6] = 1;
  Put(&image, 16, 3, 2, big);                    // e_type ET_DYN
  Put(&image, l.e_machine, spec.is64 ? 62 : 8, 2, big);  // x86-64 / MIPS
  Put(&image, l.e_phoff, l.ehdr, l.word, big);
  Put(&image, l.e_phentsize, l.phdr, 2, big);
  Put(&image, l.e_phnum, 2, 2, big);

  const std::size_t dyn_at = image.size();
  auto entries = spec.entries;
  const std::size_t dyn_size = (entries.size() + 3) * 2 * l.word;
  const std::size_t str_at = dyn_at + dyn_size;
  entries.push_back({5, kBase + str_at + spec.strtab_vaddr_shift});  // STRTAB
  entries.push_back({10, spec.strtab.size()});                      // STRSZ
  entries.push_back({0, 0});                                        // NULL
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Put(&image, dyn_at + i * 2 * l.word, entries[i].first, l.word, big);
    Put(&image, dyn_at + i * 2 * l.word + l.word, entries[i].second, l.word,
        big);
  }
  image += spec.strtab;

  const std::size_t load = l.ehdr, dynamic = l.ehdr + l.phdr;
  Put(&image, load, spec.with_load ? 1 : 6, 4, big);  // PT_LOAD or PT_PHDR
  Put(&image, load + l.p_offset, 0, l.word, big);
  Put(&image, load + l.p_vaddr, kBase, l.word, big);
  Put(&image, load + l.p_filesz, image.size(), l.word, big);
  Put(&image, dynamic, spec.with_dynamic ? 2 : 4, 4, big);  // PT_DYNAMIC
  Put(&image, dynamic + l.p_offset,
      spec.dynamic_offset ? spec.dynamic_offset : dyn_at, l.word, big);
  Put(&image, dynamic + l.p_vaddr, kBase + dyn_at, l.word, big);
  Put(&image, dynamic + l.p_filesz, dyn_size, l.word, big);
  return image;
}

class MemFile {
 public:
  explicit MemFile(std::string_view image)
      : fd_(memfd_create("elf_dynamic_test", MFD_CLOEXEC)) {
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(write(fd_, image.data(), image.size()),
              static_cast<ssize_t>(image.size()));
  }
  ~MemFile() { close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

absl::StatusOr<ElfDynamic> Read(std::string_view image) {
  MemFile file(image);
  return ReadElfDynamic(file.fd(), kFile);
}

// "\0libfoo.so.1\0libbar.so\0$ORIGIN/../lib\0libdyn.so\0"
//   offsets: foo 1, bar 13, path 23, soname 38
const std::string kStrings("\0libfoo.so.1\0libbar.so\0$ORIGIN/../lib\0libdyn.so\0",
                           48);

DynSpec Typical(bool is64, bool big) {
  DynSpec spec;
  spec.is64 = is64;
  spec.big = big;
  spec.entries = {{1, 1}, {1, 13}, {29, 23}, {14, 38}, {0x6ffffffb, 0x800}};
  spec.strtab = kStrings;
  return spec;
}

::testing::AssertionResult IsInvalid(const absl::StatusOr<ElfDynamic>& result,
                                     std::string_view text) {
  if (result.ok()) return ::testing::AssertionFailure() << "succeeded";
  const std::string message(result.status().message());
  if (result.status().code() != absl::StatusCode::kInvalidArgument ||
      message.find(kFile) != 0 || message.find(text) == std::string::npos) {
    return ::testing::AssertionFailure()
           << result.status() << " lacks \"" << text << "\"";
  }
  return ::testing::AssertionSuccess();
}

class ElfDynamicVariantTest
    : public ::testing::TestWithParam<testing::ElfVariant> {};

TEST_P(ElfDynamicVariantTest, ReadsNeededRunpathSonameAndFlagsInOrder) {
  const bool is64 = GetParam().is64;
  const bool big = GetParam().big_endian;
  const absl::StatusOr<ElfDynamic> dynamic = Read(BuildElf(Typical(is64, big)));
  ASSERT_TRUE(dynamic.ok()) << dynamic.status();
  EXPECT_TRUE(dynamic->has_dynamic);
  EXPECT_EQ(dynamic->needed,
            (std::vector<std::string>{"libfoo.so.1", "libbar.so"}));
  EXPECT_EQ(dynamic->runpath, "$ORIGIN/../lib");
  EXPECT_FALSE(dynamic->rpath.has_value());
  EXPECT_EQ(dynamic->soname, "libdyn.so");
  EXPECT_EQ(dynamic->flags_1, 0x800u);
  EXPECT_EQ(dynamic->identity.elf_class, is64 ? 64 : 32);
  EXPECT_EQ(dynamic->identity.big_endian, big);
  EXPECT_EQ(dynamic->identity.machine, is64 ? 62 : 8);
  EXPECT_EQ(dynamic->identity.type, 3);
}

INSTANTIATE_TEST_SUITE_P(AllClassesAndByteOrders, ElfDynamicVariantTest,
                         ::testing::ValuesIn(testing::kElfVariants),
                         testing::ElfVariantName);

TEST(ElfDynamicTest, ReadsRpath) {
  DynSpec spec = Typical(true, false);
  spec.entries = {{15, 23}};  // DT_RPATH
  const auto dynamic = Read(BuildElf(spec));
  ASSERT_TRUE(dynamic.ok()) << dynamic.status();
  EXPECT_EQ(dynamic->rpath, "$ORIGIN/../lib");
  EXPECT_FALSE(dynamic->runpath.has_value());
  EXPECT_TRUE(dynamic->needed.empty());
}

// The overload for callers that know the size reads nothing past it.
TEST(ElfDynamicTest, KnownSizeAgreesAndBoundsTheRead) {
  const std::string image = BuildElf(Typical(true, false));
  MemFile file(image);
  const auto whole = ReadElfDynamic(file.fd(), image.size(), kFile);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->needed, Read(image)->needed);
  EXPECT_EQ(whole->runpath, Read(image)->runpath);
  EXPECT_FALSE(ReadElfDynamic(file.fd(), image.size() / 2, kFile).ok());
}

TEST(ElfDynamicTest, FileWithoutDynamicSegmentHasNothing) {
  DynSpec spec = Typical(true, false);
  spec.with_dynamic = false;
  const auto dynamic = Read(BuildElf(spec));
  ASSERT_TRUE(dynamic.ok()) << dynamic.status();
  EXPECT_FALSE(dynamic->has_dynamic);
  EXPECT_TRUE(dynamic->needed.empty());
}

TEST(ElfDynamicTest, RefusesStringTableInNoLoadSegment) {
  DynSpec spec = Typical(true, false);
  spec.with_load = false;
  EXPECT_TRUE(IsInvalid(Read(BuildElf(spec)), "lies in no PT_LOAD segment"));
}

TEST(ElfDynamicTest, RefusesStringTableRunningPastItsSegment) {
  DynSpec spec = Typical(true, false);
  spec.strtab_vaddr_shift = 8;
  EXPECT_TRUE(IsInvalid(Read(BuildElf(spec)), "DT_STRTAB address 0x"));
}

TEST(ElfDynamicTest, RefusesNeededOffsetPastStringTable) {
  DynSpec spec = Typical(true, false);
  spec.entries = {{1, 48}};
  EXPECT_TRUE(IsInvalid(Read(BuildElf(spec)),
                        "DT_NEEDED names string offset 48, past the end of "
                        "the string table (DT_STRSZ 48)"));
}

TEST(ElfDynamicTest, RefusesStringWithoutNul) {
  DynSpec spec = Typical(true, false);
  spec.strtab = std::string("\0libfoo.so", 10);
  spec.entries = {{1, 1}};
  EXPECT_TRUE(IsInvalid(Read(BuildElf(spec)), "has no terminating NUL"));
}

TEST(ElfDynamicTest, RefusesDynamicSegmentOutsideTheFile) {
  DynSpec spec = Typical(true, false);
  spec.dynamic_offset = 1 << 20;
  EXPECT_TRUE(IsInvalid(Read(BuildElf(spec)),
                        "the PT_DYNAMIC segment (offset 1048576"));
}

TEST(ElfDynamicTest, RefusesNonElf) {
  EXPECT_TRUE(IsInvalid(Read("#!/bin/sh\necho hello\n"), "not an ELF file"));
  EXPECT_TRUE(IsInvalid(Read("\x7f" "EL"), "not an ELF file"));
}

// Every truncation and every single-byte corruption is either read or
// refused, never a crash (run it under ASan to see out-of-bounds reads).
TEST(ElfDynamicTest, SurvivesEveryTruncationAndByteFlip) {
  for (bool is64 : {true, false}) {
    const std::string image = BuildElf(Typical(is64, false));
    for (std::size_t size = 0; size < image.size(); ++size) {
      EXPECT_FALSE(Read(image.substr(0, size)).ok()) << "truncated to " << size;
    }
    for (std::size_t i = 0; i < image.size(); ++i) {
      std::string flipped = image;
      flipped[i] = static_cast<char>(flipped[i] ^ 0xff);
      (void)Read(flipped);
    }
  }
}

TEST(ElfDynamicTest, ReadsThisTestBinary) {
  const int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const absl::StatusOr<ElfDynamic> dynamic = ReadElfDynamic(fd, "self");
  const absl::StatusOr<ElfIdentity> identity = ReadElfIdentity(fd, "self");
  ::close(fd);
  ASSERT_TRUE(dynamic.ok()) << dynamic.status();
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_NE(std::find(dynamic->needed.begin(), dynamic->needed.end(),
                      "libc.so.6"),
            dynamic->needed.end());
  EXPECT_EQ(identity->elf_class, sizeof(void*) * 8);
  EXPECT_TRUE(identity->SameCodeAs(dynamic->identity));
}

}  // namespace
}  // namespace preload
