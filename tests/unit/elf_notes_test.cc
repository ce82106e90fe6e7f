// Copyright the PreloadSDK authors.
//
// Tests for preload/elf_notes.h. Synthetic ELF images are assembled here from
// the ELF specification's field offsets (written out by hand, not taken from
// <elf.h> or the reader) so that a layout mistake in the reader cannot hide
// behind the same mistake in the test.

#include "preload/elf_notes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "elf_variant.h"
#include "gtest/gtest.h"

namespace preload {
namespace {

constexpr char kFile[] = "plugins/test.so";
constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtNote = 4;
constexpr uint32_t kGnuBuildId = 3;

// Field offsets and sizes from the gABI, per ELF class.
struct TestLayout {
  std::size_t ehdr_size, phdr_size, word;  // `word`: width of an address.
  std::size_t e_phoff, e_ehsize, e_phentsize, e_phnum;
  std::size_t p_type, p_offset, p_filesz, p_memsz, p_align;
};
constexpr TestLayout kLayout32 = {52, 32, 4, 28, 40, 42, 44, 0, 4, 16, 20, 28};
constexpr TestLayout kLayout64 = {64, 56, 8, 32, 52, 54, 56, 0, 8, 32, 40, 48};

// Writes `value` as `width` bytes at `offset`, growing the image if needed.
void Put(std::string* image, std::size_t offset, uint64_t value,
         std::size_t width, bool big_endian) {
  if (image->size() < offset + width) image->resize(offset + width, '\0');
  for (std::size_t i = 0; i < width; ++i) {
    const std::size_t shift = big_endian ? width - 1 - i : i;
    (*image)[offset + i] = static_cast<char>(value >> (8 * shift));
  }
}

void WriteAt(std::string* image, std::size_t offset, std::string_view bytes) {
  if (image->size() < offset + bytes.size()) {
    image->resize(offset + bytes.size(), '\0');
  }
  image->replace(offset, bytes.size(), bytes.data(), bytes.size());
}

void PadTo(std::string* s, std::size_t align) {
  s->resize((s->size() + align - 1) / align * align, '\0');
}

struct TestNote {
  std::string owner;
  uint32_t type;
  std::string desc;
};

// Encodes 4-byte-aligned notes; the owner gets its terminating NUL.
std::string EncodeNotes(const std::vector<TestNote>& notes, bool big_endian) {
  std::string out;
  for (const TestNote& note : notes) {
    const std::size_t at = out.size();
    Put(&out, at, note.owner.size() + 1, 4, big_endian);
    Put(&out, at + 4, note.desc.size(), 4, big_endian);
    Put(&out, at + 8, note.type, 4, big_endian);
    out += note.owner;
    out += '\0';
    PadTo(&out, 4);
    out += note.desc;
    PadTo(&out, 4);
  }
  return out;
}

// A raw note header, for hostile sizes the encoder would never produce.
std::string NoteHeader(uint32_t namesz, uint32_t descsz, uint32_t type,
                       bool big_endian) {
  std::string out;
  Put(&out, 0, namesz, 4, big_endian);
  Put(&out, 4, descsz, 4, big_endian);
  Put(&out, 8, type, 4, big_endian);
  return out;
}

struct TestSegment {
  std::string bytes;
  uint64_t align = 4;
  uint64_t offset = 0;  // 0: right after what precedes it, aligned.
};

struct ElfSpec {
  bool is64 = true;
  bool big_endian = false;
  std::vector<TestSegment> segments;
  uint64_t phoff = 0;  // 0: right after the ELF header.
};

const TestLayout& LayoutOf(const ElfSpec& spec) {
  return spec.is64 ? kLayout64 : kLayout32;
}

uint64_t PhoffOf(const ElfSpec& spec) {
  return spec.phoff != 0 ? spec.phoff : LayoutOf(spec).ehdr_size;
}

// Where program header `index` starts in an image built from `spec`.
std::size_t PhdrAt(const ElfSpec& spec, std::size_t index) {
  return PhoffOf(spec) + index * LayoutOf(spec).phdr_size;
}

void PutPhdr(std::string* image, const ElfSpec& spec, std::size_t index,
             uint32_t type, uint64_t offset, uint64_t size, uint64_t align) {
  const TestLayout& l = LayoutOf(spec);
  const std::size_t at = PhdrAt(spec, index);
  const bool big = spec.big_endian;
  Put(image, at + l.p_type, type, 4, big);
  Put(image, at + l.p_offset, offset, l.word, big);
  Put(image, at + l.p_filesz, size, l.word, big);
  Put(image, at + l.p_memsz, size, l.word, big);
  Put(image, at + l.p_align, align, l.word, big);
}

// An ELF image: header, a PT_LOAD (so the notes are not program header 0),
// then one PT_NOTE per segment, and the segments' bytes.
std::string BuildElf(const ElfSpec& spec) {
  const TestLayout& l = LayoutOf(spec);
  const bool big = spec.big_endian;
  const std::size_t phnum = 1 + spec.segments.size();
  std::string image(PhdrAt(spec, phnum), '\0');
  WriteAt(&image, 0, "\x7f" "ELF");
  image[4] = spec.is64 ? 2 : 1;  // EI_CLASS
  image[5] = big ? 2 : 1;        // EI_DATA
  image[6] = 1;                  // EI_VERSION
  Put(&image, 16, 3, 2, big);    // e_type = ET_DYN
  Put(&image, 20, 1, 4, big);    // e_version
  Put(&image, l.e_phoff, PhoffOf(spec), l.word, big);
  Put(&image, l.e_ehsize, l.ehdr_size, 2, big);
  Put(&image, l.e_phentsize, l.phdr_size, 2, big);
  Put(&image, l.e_phnum, phnum, 2, big);
  for (std::size_t i = 0; i < spec.segments.size(); ++i) {
    const TestSegment& segment = spec.segments[i];
    if (segment.offset == 0) PadTo(&image, segment.align);
    const uint64_t offset =
        segment.offset != 0 ? segment.offset : image.size();
    WriteAt(&image, offset, segment.bytes);
    PutPhdr(&image, spec, i + 1, kPtNote, offset, segment.bytes.size(),
            segment.align);
  }
  PutPhdr(&image, spec, 0, kPtLoad, 0, image.size(), 0x1000);
  return image;
}

// A file holding `image`, in memory, closed when the test ends.
class TempFile {
 public:
  explicit TempFile(std::string_view image)
      : fd_(memfd_create("elf_notes_test", MFD_CLOEXEC)) {
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(write(fd_, image.data(), image.size()),
              static_cast<ssize_t>(image.size()));
  }
  ~TempFile() { close(fd_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

absl::StatusOr<std::vector<ElfNote>> ReadImage(std::string_view image) {
  TempFile file(image);
  return ReadElfNotes(file.fd(), kFile);
}

using NoteFields = std::tuple<std::string, uint32_t, std::string>;
using Want = std::vector<NoteFields>;

std::vector<NoteFields> Fields(const std::vector<ElfNote>& notes) {
  std::vector<NoteFields> out;
  for (const ElfNote& note : notes) {
    out.emplace_back(note.owner, note.type, note.desc);
  }
  return out;
}

// Hostile input must be refused as InvalidArgument, naming the file and
// saying what was wrong.
template <typename T>
::testing::AssertionResult IsInvalid(const absl::StatusOr<T>& result,
                                     std::string_view expected_text) {
  if (result.ok()) return ::testing::AssertionFailure() << "succeeded";
  const std::string message(result.status().message());
  if (result.status().code() != absl::StatusCode::kInvalidArgument ||
      message.find(kFile) != 0 ||
      message.find(expected_text) == std::string::npos) {
    return ::testing::AssertionFailure()
           << result.status() << " lacks \"" << expected_text << "\"";
  }
  return ::testing::AssertionSuccess();
}

const std::string kDesc("\x01\x00\xfe\xff\x42", 5);  // Odd length, has NUL.

// --- The four ELF variants -------------------------------------------------

using testing::ElfVariant;

class ElfVariantTest : public ::testing::TestWithParam<ElfVariant> {
 protected:
  ElfSpec Spec(std::vector<TestSegment> segments = {}) const {
    ElfSpec spec;
    spec.is64 = GetParam().is64;
    spec.big_endian = GetParam().big_endian;
    spec.segments = std::move(segments);
    return spec;
  }
  TestSegment Segment(const std::vector<TestNote>& notes) const {
    return TestSegment{EncodeNotes(notes, GetParam().big_endian)};
  }
  bool big() const { return GetParam().big_endian; }
};

TEST_P(ElfVariantTest, FindsNoteWithExactOwnerTypeAndDesc) {
  const auto notes =
      ReadImage(BuildElf(Spec({Segment({{"Preload", 0x50524c44, kDesc}})})));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes),
              Want({NoteFields{"Preload", 0x50524c44, kDesc}}));
}

TEST_P(ElfVariantTest, ReadsEveryNoteOfOneSegment) {
  const auto notes = ReadImage(BuildElf(Spec({Segment(
      {{"GNU", kGnuBuildId, "0123456789abcdefghij"}, {"A", 7, ""},
       {"Preload", 1, kDesc}})})));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes),
              Want({NoteFields{"GNU", kGnuBuildId, "0123456789abcdefghij"},
                          NoteFields{"A", 7, ""},
                          NoteFields{"Preload", 1, kDesc}}));
}

TEST_P(ElfVariantTest, ReadsNotesOfEveryPtNoteSegmentInOrder) {
  const auto notes = ReadImage(BuildElf(Spec(
      {Segment({{"First", 1, "a"}}), Segment({{"Second", 2, "bb"}})})));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes), Want({NoteFields{"First", 1, "a"},
                                          NoteFields{"Second", 2, "bb"}}));
}

TEST_P(ElfVariantTest, ReadsNoteSegmentBeyondTheFirst4KiB) {
  TestSegment far = Segment({{"Far", 9, kDesc}});
  far.offset = 8192;
  const auto notes = ReadImage(BuildElf(Spec({far})));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes), Want({NoteFields{"Far", 9, kDesc}}));
}

TEST_P(ElfVariantTest, ReadsNoteSegmentStraddlingThe4KiBBoundary) {
  TestSegment straddling = Segment({{"Straddling", 9, std::string(64, 'x')}});
  straddling.offset = 4096 - 32;
  const auto notes = ReadImage(BuildElf(Spec({straddling})));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes),
              Want({NoteFields{"Straddling", 9, std::string(64, 'x')}}));
}

TEST_P(ElfVariantTest, ReadsProgramHeadersBeyondTheFirst4KiB) {
  ElfSpec spec = Spec({Segment({{"Late", 5, kDesc}})});
  spec.phoff = 5000;
  const auto notes = ReadImage(BuildElf(spec));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes), Want({NoteFields{"Late", 5, kDesc}}));
}

TEST_P(ElfVariantTest, ReturnsNoNotesWhenThereIsNoPtNote) {
  const auto notes = ReadImage(BuildElf(Spec()));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_TRUE(notes->empty());
}

TEST_P(ElfVariantTest, RejectsProgramHeaderSizeOfTheOtherClass) {
  const ElfSpec spec = Spec({Segment({{"GNU", 1, ""}})});
  std::string image = BuildElf(spec);
  const TestLayout& other = spec.is64 ? kLayout32 : kLayout64;
  Put(&image, LayoutOf(spec).e_phentsize, other.phdr_size, 2, big());
  EXPECT_TRUE(IsInvalid(ReadImage(image),
                        absl::StrCat("e_phentsize is ", other.phdr_size,
                                     ", expected ", LayoutOf(spec).phdr_size)));
}

TEST_P(ElfVariantTest, RejectsProgramHeaderTablePastTheEnd) {
  const ElfSpec spec = Spec({Segment({{"GNU", 1, ""}})});
  std::string image = BuildElf(spec);
  Put(&image, LayoutOf(spec).e_phoff, image.size() - 8, LayoutOf(spec).word,
      big());
  EXPECT_TRUE(IsInvalid(ReadImage(image),
                        "program header table lies outside the file"));
}

TEST_P(ElfVariantTest, RejectsNoteSegmentPastTheEnd) {
  const ElfSpec spec = Spec({Segment({{"GNU", 1, kDesc}})});
  std::string image = BuildElf(spec);
  Put(&image, PhdrAt(spec, 1) + LayoutOf(spec).p_filesz, 4096,
      LayoutOf(spec).word, big());
  EXPECT_TRUE(IsInvalid(
      ReadImage(image),
      absl::StrCat("program header 1 (PT_NOTE) lies outside the file (offset ",
                   PhoffOf(spec) + 2 * LayoutOf(spec).phdr_size,
                   " + size 4096 > file size ", image.size(), ")")));
}

TEST_P(ElfVariantTest, RejectsNoteWhoseNameRunsPastTheSegment) {
  const auto notes = ReadImage(BuildElf(Spec(
      {TestSegment{NoteHeader(100, 0, 1, big()) + std::string(8, 'n')}})));
  EXPECT_TRUE(IsInvalid(notes, "program header 1 (PT_NOTE): note 0 at offset "
                               "0: name runs past the segment"));
}

TEST_P(ElfVariantTest, RejectsNoteWhoseDescRunsPastTheSegment) {
  const std::string good = EncodeNotes({{"GNU", 1, "ok"}}, big());
  const auto notes = ReadImage(BuildElf(Spec({TestSegment{
      good + NoteHeader(4, 64, 1, big()) + std::string("GNU\0", 4)}})));
  EXPECT_TRUE(IsInvalid(notes, "note 1 at offset 20: descriptor runs past"));
}

INSTANTIATE_TEST_SUITE_P(AllClassesAndByteOrders, ElfVariantTest,
                         ::testing::ValuesIn(testing::kElfVariants),
                         testing::ElfVariantName);

// --- Layout details --------------------------------------------------------

TEST(ReadElfNotesTest, ReadsEightByteAlignedSegmentLikeGnuProperty) {
  // Written out by hand: with 8-byte alignment the descriptor starts at the
  // header (12) plus namesz (8) rounded up to 8, i.e. at 24, not at 20.
  std::string segment = NoteHeader(8, 4, 5, false) + std::string("Preload\0", 8);
  segment += std::string(4, '\0') + "DESC" + std::string(4, '\0');
  segment += NoteHeader(4, 8, 6, false) + std::string("GNU\0", 4) + "12345678";
  ElfSpec spec;
  spec.segments = {TestSegment{segment, 8}};
  const auto notes = ReadImage(BuildElf(spec));
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes), Want({NoteFields{"Preload", 5, "DESC"},
                                          NoteFields{"GNU", 6, "12345678"}}));
}

TEST(ReadElfNotesTest, ReturnsNoNotesForFileWithoutProgramHeaders) {
  ElfSpec spec;
  std::string image = BuildElf(spec);
  // A relocatable object: no table, and e_phentsize 0 as `as` writes it.
  Put(&image, kLayout64.e_phnum, 0, 2, false);
  Put(&image, kLayout64.e_phentsize, 0, 2, false);
  const auto notes = ReadImage(image);
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_TRUE(notes->empty());
}

TEST(ReadElfNotesTest, LeavesTheFileOffsetWhereItWas) {
  ElfSpec spec;
  TestSegment far{EncodeNotes({{"Far", 1, kDesc}}, false)};
  far.offset = 8192;  // Forces a read beyond the first 4 KiB too.
  spec.segments = {far};
  TempFile file(BuildElf(spec));
  ASSERT_EQ(lseek(file.fd(), 123, SEEK_SET), 123);
  const auto notes = ReadElfNotes(file.fd(), kFile);
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(notes->size(), 1u);
  EXPECT_EQ(lseek(file.fd(), 0, SEEK_CUR), 123);
}

TEST(ReadElfNotesTest, ReportsFailedFstatOfABadDescriptor) {
  const auto notes = ReadElfNotes(-1, kFile);
  ASSERT_FALSE(notes.ok());
  EXPECT_NE(std::string(notes.status().message()).find("plugins/test.so: fstat"),
            std::string::npos)
      << notes.status();
}

TEST(FindElfNotesTest, KeepsOnlyNotesWithTheOwnerAndType) {
  ElfSpec spec;
  spec.segments = {TestSegment{EncodeNotes(
      {{"GNU", 3, "id"}, {"GNU", 4, "x"}, {"GNUX", 3, "y"}, {"GNU", 3, "z"}},
      false)}};
  TempFile file(BuildElf(spec));
  const auto notes = FindElfNotes(file.fd(), kFile, "GNU", 3);
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes),
              Want({NoteFields{"GNU", 3, "id"}, NoteFields{"GNU", 3, "z"}}));
}

// --- FindElfNotes with the size the caller's fstat gave ----------------------

// Notes at 8192, past the bytes read first, so the size decides what is read.
std::string ImageWithFarNote() {
  ElfSpec spec;
  TestSegment far{EncodeNotes({{"GNU", 3, "id"}, {"GNU", 4, "x"}}, false)};
  far.offset = 8192;
  spec.segments = {far};
  return BuildElf(spec);
}

TEST(FindElfNotesWithSizeTest, AgreesWithTheOverloadThatCallsFstat) {
  const std::string image = ImageWithFarNote();
  TempFile file(image);
  const auto sized = FindElfNotes(file.fd(), image.size(), kFile, "GNU", 3);
  const auto unsized = FindElfNotes(file.fd(), kFile, "GNU", 3);
  ASSERT_TRUE(sized.ok()) << sized.status();
  ASSERT_TRUE(unsized.ok()) << unsized.status();
  EXPECT_EQ(Fields(*sized), Want({NoteFields{"GNU", 3, "id"}}));
  EXPECT_EQ(Fields(*sized), Fields(*unsized));
}

TEST(FindElfNotesWithSizeTest, NoteSegmentPastTheGivenSizeIsAnError) {
  const std::string image = ImageWithFarNote();
  TempFile file(image);
  EXPECT_TRUE(IsInvalid(
      FindElfNotes(file.fd(), 8192, kFile, "GNU", 3),
      absl::StrCat("program header 1 (PT_NOTE) lies outside the file (offset "
                   "8192 + size ", image.size() - 8192,
                   " > file size 8192)")));
}

TEST(FindElfNotesWithSizeTest, SizeBeyondTheRealEndIsAFileThatEndedEarly) {
  ElfSpec spec;
  spec.segments = {TestSegment{EncodeNotes({{"GNU", 3, "id"}}, false)}};
  const std::string image = BuildElf(spec);
  TempFile file(image);
  EXPECT_TRUE(IsInvalid(FindElfNotes(file.fd(), image.size() + 100, kFile,
                                     "GNU", 3),
                        absl::StrCat("file ended at offset ", image.size())));
}

// No fstat: a bad descriptor fails at the read, not at an fstat.
TEST(FindElfNotesWithSizeTest, ReadsWithoutAskingForTheSize) {
  const auto notes = FindElfNotes(-1, 4096, kFile, "GNU", 3);
  ASSERT_FALSE(notes.ok());
  EXPECT_NE(std::string(notes.status().message())
                .find("plugins/test.so: reading 4096 bytes at offset 0"),
            std::string::npos)
      << notes.status();
}

// --- Hostile headers -------------------------------------------------------

std::string ValidElf64() {
  ElfSpec spec;
  spec.segments = {TestSegment{EncodeNotes({{"GNU", 1, kDesc}}, false)}};
  return BuildElf(spec);
}

TEST(HostileElfTest, RejectsEmptyFile) {
  EXPECT_TRUE(IsInvalid(ReadImage(""), "not an ELF file (0 bytes long"));
}

TEST(HostileElfTest, RejectsThreeByteFile) {
  EXPECT_TRUE(IsInvalid(ReadImage("\x7f" "EL"), "not an ELF file (3 bytes"));
}

TEST(HostileElfTest, RejectsWrongMagicShowingItsBytes) {
  std::string image = ValidElf64();
  image[3] = 'G';
  EXPECT_TRUE(IsInvalid(ReadImage(image),
                        "not an ELF file (magic is 7f 45 4c 47, expected"));
}

TEST(HostileElfTest, RejectsTruncatedIdentification) {
  EXPECT_TRUE(IsInvalid(ReadImage(ValidElf64().substr(0, 10)),
                        "truncated ELF identification"));
}

TEST(HostileElfTest, RejectsUnknownClass) {
  std::string image = ValidElf64();
  image[4] = 3;
  EXPECT_TRUE(IsInvalid(ReadImage(image), "unsupported ELF class 3"));
}

TEST(HostileElfTest, RejectsUnknownDataEncoding) {
  std::string image = ValidElf64();
  image[5] = static_cast<char>(0xff);
  EXPECT_TRUE(IsInvalid(ReadImage(image), "unsupported ELF data encoding 255"));
}

TEST(HostileElfTest, RejectsUnknownIdentVersion) {
  std::string image = ValidElf64();
  image[6] = 2;
  EXPECT_TRUE(IsInvalid(ReadImage(image), "unsupported ELF version 2"));
}

TEST(HostileElfTest, RejectsTruncatedElfHeader) {
  EXPECT_TRUE(IsInvalid(ReadImage(ValidElf64().substr(0, 40)),
                        "truncated ELF header (file size 40, an ELF64 header "
                        "needs 64 bytes)"));
}

TEST(HostileElfTest, RejectsExtendedProgramHeaderNumbering) {
  std::string image = ValidElf64();
  Put(&image, kLayout64.e_phnum, 0xffff, 2, false);
  EXPECT_TRUE(IsInvalid(ReadImage(image), "extended program header numbering"));
}

TEST(HostileElfTest, RejectsMoreProgramHeadersThanTheLimit) {
  std::string image = ValidElf64();
  Put(&image, kLayout64.e_phnum, 0xfffe, 2, false);
  EXPECT_TRUE(IsInvalid(ReadImage(image),
                        "too many program headers (65534, limit 4096)"));
}

TEST(HostileElfTest, RejectsProgramHeaderOffsetThatWrapsAround) {
  // phoff + phnum * phentsize overflows 64 bits and would land inside.
  std::string image = ValidElf64();
  Put(&image, kLayout64.e_phoff, std::numeric_limits<uint64_t>::max() - 8, 8,
      false);
  EXPECT_TRUE(IsInvalid(ReadImage(image),
                        "program header table lies outside the file (offset "
                        "18446744073709551607 + size 112"));
}

TEST(HostileElfTest, RejectsNoteSegmentOffsetThatWrapsAround) {
  std::string image = ValidElf64();
  Put(&image, kLayout64.ehdr_size + kLayout64.phdr_size + kLayout64.p_offset,
      std::numeric_limits<uint64_t>::max() - 4, 8, false);
  EXPECT_TRUE(IsInvalid(ReadImage(image),
                        "program header 1 (PT_NOTE) lies outside the file"));
}

TEST(HostileElfTest, RejectsNoteSegmentOverTheSizeLimit) {
  std::string image = ValidElf64();
  Put(&image, kLayout64.ehdr_size + kLayout64.phdr_size + kLayout64.p_filesz,
      kMaxNoteSegmentBytes + 1, 8, false);
  EXPECT_TRUE(IsInvalid(ReadImage(image),
                        "program header 1 (PT_NOTE) is 1048577 bytes, over the "
                        "limit of 1048576"));
}

TEST(HostileElfTest, RejectsNoteSizesNearUint32Max) {
  for (uint32_t namesz : {0xffffffffu, 0xfffffffcu, 0xfffffff4u}) {
    ElfSpec spec;
    spec.segments = {TestSegment{NoteHeader(namesz, 0, 1, false) + "GNU"}};
    EXPECT_TRUE(IsInvalid(ReadImage(BuildElf(spec)), "name runs past"))
        << namesz;
  }
  for (uint32_t descsz : {0xffffffffu, 0xfffffffcu, 0xfffffff4u}) {
    ElfSpec spec;
    spec.segments = {TestSegment{NoteHeader(4, descsz, 1, false) +
                                 std::string("GNU\0xxxx", 8)}};
    EXPECT_TRUE(IsInvalid(ReadImage(BuildElf(spec)), "descriptor runs past"))
        << descsz;
  }
}

// --- ParseNoteSegment on its own --------------------------------------------

TEST(ParseNoteSegmentTest, IgnoresTrailingPaddingShorterThanAHeader) {
  const std::string bytes =
      EncodeNotes({{"GNU", 1, "abcd"}}, false) + std::string(11, '\0');
  const auto notes = ParseNoteSegment(bytes, false, 4);
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes), Want({NoteFields{"GNU", 1, "abcd"}}));
}

TEST(ParseNoteSegmentTest, StripsEveryTrailingNulFromTheOwner) {
  const std::string bytes =
      NoteHeader(8, 0, 2, true) + std::string("Go\0\0\0\0\0\0", 8);
  const auto notes = ParseNoteSegment(bytes, true, 4);
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes), Want({NoteFields{"Go", 2, ""}}));
}

TEST(ParseNoteSegmentTest, ReadsWordsInTheGivenByteOrder) {
  const std::string bytes = NoteHeader(4, 1, 0x01020304, true) +
                            std::string("GNU\0", 4) + "z" + std::string(3, '\0');
  const auto notes = ParseNoteSegment(bytes, true, 4);
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(Fields(*notes), Want({NoteFields{"GNU", 0x01020304, "z"}}));
}

TEST(ParseNoteSegmentTest, RejectsAlignmentOtherThanFourOrEight) {
  const auto notes = ParseNoteSegment(EncodeNotes({{"A", 1, ""}}, false),
                                      false, 2);
  ASSERT_FALSE(notes.ok());
  EXPECT_EQ(notes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(notes.status().message())
                .find("alignment is 2, expected 4 or 8"),
            std::string::npos)
      << notes.status();
}

// --- The running program ----------------------------------------------------

TEST(FindNotesOfThisProgramTest, ReturnsTheGnuBuildIdOfThisTest) {
  const std::vector<ElfNote> notes = FindNotesOfThisProgram("GNU", kGnuBuildId);
  ASSERT_EQ(notes.size(), 1u) << "was this test linked with --build-id?";
  EXPECT_EQ(notes[0].owner, "GNU");
  EXPECT_EQ(notes[0].type, kGnuBuildId);
  EXPECT_EQ(notes[0].desc.size(), 20u);  // SHA-1, GNU ld's default.
}

TEST(FindNotesOfThisProgramTest, AgreesWithReadingProcSelfExe) {
  const int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const auto from_file = FindElfNotes(fd, "/proc/self/exe", "GNU", kGnuBuildId);
  close(fd);
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  const std::vector<ElfNote> from_memory =
      FindNotesOfThisProgram("GNU", kGnuBuildId);
  ASSERT_EQ(from_file->size(), 1u);
  EXPECT_EQ(Fields(*from_file), Fields(from_memory));
}

}  // namespace
}  // namespace preload
