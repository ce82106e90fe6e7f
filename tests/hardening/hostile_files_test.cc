// Hostile files: whatever is put where a plugin is expected, the reader
// (ReadElfNotes) and the loader (Loader::Verify, Loader::Open) give a clear
// error naming the file, nothing is mapped, none of its code runs, and nothing
// crashes or blocks. The "real plugin" is hx_probe, whose static constructor
// sets HX_PROBE_RAN: were any hostile copy of it mapped, the constructor
// would run and the test would see it.
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fixture_paths.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hardening_support.h"
#include "preload/elf_notes.h"
#include "preload/fingerprint.h"
#include "preload/loader.h"

namespace preload::hardening {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kPrefixBytes = 8 * 1024;
constexpr char kProbe[] = "HX_PROBE_RAN";

bool ProbeRan() { return std::getenv(kProbe) != nullptr; }

std::string Text(const absl::Status& status) { return status.ToString(); }

// ReadElfNotes on `path` opened as the loader opens it.
absl::StatusOr<std::vector<ElfNote>> ReadNotesOf(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return absl::ErrnoToStatus(errno, path);
  absl::StatusOr<std::vector<ElfNote>> notes = ReadElfNotes(fd, path);
  ::close(fd);
  return notes;
}

// The whole promise for one file that must be refused: the reader either
// fails with an error naming the file or finds no usable note (when
// `reader_may_succeed`), Verify and Open both refuse it with the same error
// naming the file and containing `expected`, and nothing of it is mapped or
// has run.
::testing::AssertionResult RefusedUnloaded(Loader& loader,
                                           const std::string& path,
                                           const std::string& expected,
                                           bool reader_may_succeed = false) {
  absl::StatusOr<std::vector<ElfNote>> notes = ReadNotesOf(path);
  if (!notes.ok()) {
    if (notes.status().message().find(path) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "reader error does not name the file: " << Text(notes.status());
    }
  } else if (!reader_may_succeed) {
    return ::testing::AssertionFailure() << "the reader accepted " << path;
  }
  absl::StatusOr<Fingerprint> verified = loader.Verify(path);
  if (verified.ok()) {
    return ::testing::AssertionFailure() << "Verify accepted " << path;
  }
  absl::StatusOr<Plugin*> opened = loader.Open(path);
  if (opened.ok()) {
    return ::testing::AssertionFailure() << "Open loaded " << path;
  }
  if (opened.status() != verified.status()) {
    return ::testing::AssertionFailure()
           << "Open and Verify disagree: " << Text(opened.status()) << " vs "
           << Text(verified.status());
  }
  const std::string message(opened.status().message());
  if (message.find(path) == std::string::npos ||
      message.find(expected) == std::string::npos) {
    return ::testing::AssertionFailure()
           << Text(opened.status()) << " lacks the file or \"" << expected
           << "\"";
  }
  if (IsMapped(path)) return ::testing::AssertionFailure() << path << " mapped";
  if (ProbeRan()) {
    return ::testing::AssertionFailure() << "a constructor ran for " << path;
  }
  if (!loader.plugins().empty()) {
    return ::testing::AssertionFailure() << "a plugin was registered";
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------- ELF bytes

void Put(std::string& image, std::size_t at, uint64_t value, std::size_t width,
         bool big_endian) {
  if (image.size() < at + width) image.resize(at + width, '\0');
  for (std::size_t i = 0; i < width; ++i) {
    const std::size_t shift = big_endian ? width - 1 - i : i;
    image[at + i] = static_cast<char>((value >> (8 * shift)) & 0xff);
  }
}

uint64_t Get(const std::string& image, std::size_t at, std::size_t width) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(image[at + i]))
             << (8 * i);
  }
  return value;
}

std::size_t Align4(std::size_t n) { return (n + 3) / 4 * 4; }

std::string EncodeNote(const std::string& owner, uint32_t type,
                       const std::string& desc, bool big_endian) {
  std::string note;
  Put(note, 0, owner.size() + 1, 4, big_endian);
  Put(note, 4, desc.size(), 4, big_endian);
  Put(note, 8, type, 4, big_endian);
  note += owner;
  note.resize(Align4(note.size() + 1), '\0');
  note += desc;
  note.resize(Align4(note.size()), '\0');
  return note;
}

// A minimal ELF shared object: header, a PT_LOAD covering the whole file and
// a PT_NOTE holding `notes`. Field places come from <elf.h>.
std::string SyntheticElf(bool is64, bool big_endian, uint16_t machine,
                         const std::string& notes) {
  const std::size_t ehdr = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  const std::size_t phdr = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  const std::size_t word = is64 ? 8 : 4;
  const std::size_t notes_at = ehdr + 2 * phdr;
  std::string image(notes_at, '\0');
  image += notes;
  std::memcpy(image.data(), ELFMAG, SELFMAG);
  image[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
  image[EI_DATA] = big_endian ? ELFDATA2MSB : ELFDATA2LSB;
  image[EI_VERSION] = EV_CURRENT;
  const bool b = big_endian;
  Put(image, offsetof(Elf64_Ehdr, e_type), ET_DYN, 2, b);  // same in both
  Put(image, offsetof(Elf64_Ehdr, e_machine), machine, 2, b);
  Put(image, offsetof(Elf64_Ehdr, e_version), EV_CURRENT, 4, b);
  if (is64) {
    Put(image, offsetof(Elf64_Ehdr, e_phoff), ehdr, 8, b);
    Put(image, offsetof(Elf64_Ehdr, e_ehsize), ehdr, 2, b);
    Put(image, offsetof(Elf64_Ehdr, e_phentsize), phdr, 2, b);
    Put(image, offsetof(Elf64_Ehdr, e_phnum), 2, 2, b);
  } else {
    Put(image, offsetof(Elf32_Ehdr, e_phoff), ehdr, 4, b);
    Put(image, offsetof(Elf32_Ehdr, e_ehsize), ehdr, 2, b);
    Put(image, offsetof(Elf32_Ehdr, e_phentsize), phdr, 2, b);
    Put(image, offsetof(Elf32_Ehdr, e_phnum), 2, 2, b);
  }
  struct Segment {
    uint32_t type;
    uint64_t offset, size, align;
  };
  const Segment segments[] = {{PT_LOAD, 0, image.size(), 0x1000},
                              {PT_NOTE, notes_at, notes.size(), 4}};
  for (std::size_t i = 0; i < 2; ++i) {
    const std::size_t at = ehdr + i * phdr;
    const Segment& s = segments[i];
    Put(image, at + (is64 ? offsetof(Elf64_Phdr, p_type)
                          : offsetof(Elf32_Phdr, p_type)), s.type, 4, b);
    Put(image, at + (is64 ? offsetof(Elf64_Phdr, p_offset)
                          : offsetof(Elf32_Phdr, p_offset)), s.offset, word, b);
    Put(image, at + (is64 ? offsetof(Elf64_Phdr, p_filesz)
                          : offsetof(Elf32_Phdr, p_filesz)), s.size, word, b);
    Put(image, at + (is64 ? offsetof(Elf64_Phdr, p_memsz)
                          : offsetof(Elf32_Phdr, p_memsz)), s.size, word, b);
    Put(image, at + (is64 ? offsetof(Elf64_Phdr, p_align)
                          : offsetof(Elf32_Phdr, p_align)), s.align, word, b);
  }
  return image;
}

// Where the PreloadSDK note sits in the real plugin (little-endian ELF64, as
// this tree builds it), found by walking the file's own headers.
struct NoteInFile {
  std::size_t phdr_at = 0;    // its PT_NOTE program header
  std::size_t segment_end = 0;
  std::size_t header_at = 0;  // the note's namesz, descsz, type
};

NoteInFile FindPreloadNote(const std::string& image) {
  NoteInFile found;
  const std::size_t phoff = Get(image, offsetof(Elf64_Ehdr, e_phoff), 8);
  const std::size_t phnum = Get(image, offsetof(Elf64_Ehdr, e_phnum), 2);
  for (std::size_t i = 0; i < phnum; ++i) {
    const std::size_t at = phoff + i * sizeof(Elf64_Phdr);
    if (Get(image, at + offsetof(Elf64_Phdr, p_type), 4) != PT_NOTE) continue;
    const std::size_t offset = Get(image, at + offsetof(Elf64_Phdr, p_offset), 8);
    const std::size_t size = Get(image, at + offsetof(Elf64_Phdr, p_filesz), 8);
    for (std::size_t note = offset; note + 12 <= offset + size;) {
      const std::size_t namesz = Get(image, note, 4);
      const std::size_t descsz = Get(image, note + 4, 4);
      if (image.compare(note + 12, kNoteOwner.size(), kNoteOwner.data(),
                        kNoteOwner.size()) == 0 &&
          Get(image, note + 8, 4) == kNoteType) {
        return NoteInFile{at, offset + size, note};
      }
      note = Align4(Align4(note + 12 + namesz) + descsz);
    }
  }
  return found;
}

// The real plugin's fingerprint payload with some fields replaced, as a
// plugin built for another target would carry.
std::string PayloadWith(
    const std::vector<std::pair<std::string, std::string>>& changes) {
  absl::StatusOr<std::vector<ElfNote>> notes = ReadNotesOf(HX_PROBE);
  EXPECT_TRUE(notes.ok()) << notes.status();
  for (const ElfNote& note : notes.ok() ? *notes : std::vector<ElfNote>{}) {
    if (note.owner != kNoteOwner || note.type != kNoteType) continue;
    absl::StatusOr<Fingerprint> fingerprint = Fingerprint::Parse(note.desc);
    EXPECT_TRUE(fingerprint.ok()) << fingerprint.status();
    if (!fingerprint.ok()) return "";
    std::vector<FingerprintField> fields = fingerprint->fields();
    for (FingerprintField& field : fields) {
      for (const auto& [key, value] : changes) {
        if (field.key == key) field.value = value;
      }
    }
    return Fingerprint::FromFields(std::move(fields)).Serialize();
  }
  ADD_FAILURE() << "no fingerprint note in " << HX_PROBE;
  return "";
}

class HostileFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    ASSERT_FALSE(ProbeRan()) << "the probe ran before the test";
    plugin_ = ReadBytes(HX_PROBE);
    ASSERT_GT(plugin_.size(), kPrefixBytes);
  }
  void TearDown() override { EXPECT_FALSE(IsMapped(HX_PROBE)); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ / name;
    EXPECT_TRUE(WriteBytes(path, bytes)) << path;
    return path;
  }

  ScratchDir dir_;
  std::string plugin_;
  Loader loader_;
};

// The check behind every other test: the real plugin, opened in a child, runs
// its constructor and is mapped, so a hostile copy that got mapped would show.
TEST_F(HostileFilesTest, TheRealPluginLoadsSoTheChecksCanSeeALoad) {
  const int code = RunInChild(
      [] {
        Loader loader;
        absl::StatusOr<Plugin*> plugin = loader.Open(HX_PROBE);
        if (!plugin.ok()) {
          std::fprintf(stderr, "%s\n", Text(plugin.status()).c_str());
          return 1;
        }
        return ProbeRan() && IsMapped(HX_PROBE) ? 0 : 2;
      },
      std::chrono::seconds(60));
  EXPECT_EQ(code, 0);
  EXPECT_FALSE(ProbeRan());
}

TEST_F(HostileFilesTest, EveryTruncationOfThePluginsFirst8KiBIsRefused) {
  const std::string path = dir_ / "truncated.so";
  int failures = 0;
  // Longest first, so that each write shrinks the file (see RewriteBytes).
  for (std::size_t length = kPrefixBytes + 1; length-- > 0 && failures < 5;) {
    ASSERT_TRUE(RewriteBytes(path, plugin_.substr(0, length)));
    // Every length is refused, by the reader itself: the plugin's PT_LOAD
    // segments reach past 8 KiB, so even a prefix holding the whole note
    // is a truncated file.
    const ::testing::AssertionResult refused =
        RefusedUnloaded(loader_, path, "");
    if (!refused) {
      ADD_FAILURE() << "truncated to " << length << " bytes: "
                    << refused.message();
      ++failures;
    }
  }
}

TEST_F(HostileFilesTest, TruncationKeepingTheWholeNoteNamesTheTruncation) {
  const NoteInFile note = FindPreloadNote(plugin_);
  ASSERT_NE(note.header_at, 0u);
  const std::string path =
      Write("note_intact.so", plugin_.substr(0, note.segment_end));
  EXPECT_TRUE(RefusedUnloaded(loader_, path, "(PT_LOAD) lies outside the file"));
  EXPECT_THAT(Text(ReadNotesOf(path).status()), HasSubstr("truncated"));
}

// The boundary of that check: a PT_LOAD ending exactly at the end of the
// file is whole; one byte further, the file is truncated.
TEST_F(HostileFilesTest, LoadSegmentOneBytePastTheEndIsRefused) {
  std::string image = SyntheticElf(true, false, EM_X86_64,
                                   EncodeNote("GNU", 3, "id", false));
  const std::string whole = Write("whole.so", image);
  absl::StatusOr<std::vector<ElfNote>> notes = ReadNotesOf(whole);
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(notes->size(), 1u);
  Put(image, sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_filesz),
      image.size() + 1, 8, false);
  const std::string cut = Write("one_byte_short.so", image);
  EXPECT_THAT(Text(ReadNotesOf(cut).status()),
              HasSubstr("program header 0 (PT_LOAD) lies outside the file"));
  EXPECT_TRUE(RefusedUnloaded(loader_, cut, "the file is truncated"));
}

TEST_F(HostileFilesTest, SeededBitFlipsInThePluginsFirst8KiBAreRefused) {
  const std::string prefix = plugin_.substr(0, kPrefixBytes);
  const std::string path = dir_ / "flipped.so";
  int failures = 0;
  for (uint32_t seed = 1; seed <= 400 && failures < 5; ++seed) {
    std::mt19937 random(seed);  // fixed seeds: every run flips the same bits
    std::string bytes = prefix;
    const int flips = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < flips; ++i) {
      // Half of the flips land in the headers and notes (the first 2 KiB),
      // which the reader parses; the rest anywhere.
      const std::size_t range = random() % 2 ? 2048 : kPrefixBytes;
      bytes[random() % range] ^= static_cast<char>(1u << (random() % 8));
    }
    ASSERT_TRUE(RewriteBytes(path, bytes));
    // A flip may leave no PT_NOTE or PT_LOAD to check (e_phnum or e_phoff
    // hit): the reader then finds no note, which the loader refuses.
    const ::testing::AssertionResult refused =
        RefusedUnloaded(loader_, path, "", /*reader_may_succeed=*/true);
    if (!refused) {
      ADD_FAILURE() << "seed " << seed << ": " << refused.message();
      ++failures;
    }
  }
}

TEST_F(HostileFilesTest, EmptyFileIsNotElf) {
  EXPECT_TRUE(RefusedUnloaded(loader_, Write("empty.so", ""), "not an ELF file"));
}

TEST_F(HostileFilesTest, DirectoryIsNotARegularFile) {
  const std::string path = dir_ / "directory.so";
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
  EXPECT_TRUE(RefusedUnloaded(loader_, path, "not a regular file"));
}

// A FIFO with no writer: opening it for reading would block, and so would
// reading it. Run in a child under a time limit, so a hang fails the test.
TEST_F(HostileFilesTest, FifoIsRefusedWithoutBlocking) {
  const std::string path = dir_ / "fifo.so";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const int code = RunInChild(
      [&] {
        Loader loader;
        const ::testing::AssertionResult refused =
            RefusedUnloaded(loader, path, "not a regular file");
        if (!refused) std::fprintf(stderr, "%s\n", refused.message());
        return refused ? 0 : 1;
      },
      std::chrono::seconds(20));
  EXPECT_EQ(code, 0) << (code == -1 ? "blocked" : "failed or crashed");
}

TEST_F(HostileFilesTest, DevZeroIsRefusedWithoutReadingForever) {
  const int code = RunInChild(
      [] {
        Loader loader;
        const ::testing::AssertionResult refused =
            RefusedUnloaded(loader, "/dev/zero", "not a regular file");
        if (!refused) std::fprintf(stderr, "%s\n", refused.message());
        return refused ? 0 : 1;
      },
      std::chrono::seconds(20));
  EXPECT_EQ(code, 0) << (code == -1 ? "hung" : "failed or crashed");
}

TEST_F(HostileFilesTest, SymlinkLoopIsRefused) {
  const std::string a = dir_ / "a.so";
  const std::string b = dir_ / "b.so";
  ASSERT_EQ(::symlink(b.c_str(), a.c_str()), 0);
  ASSERT_EQ(::symlink(a.c_str(), b.c_str()), 0);
  EXPECT_TRUE(RefusedUnloaded(loader_, a, "symbolic links"));
}

// A sparse file far larger than any ELF header describes: the reader reads
// only what the headers point at, so it answers at once.
TEST_F(HostileFilesTest, HugeSparseFileOfZerosIsRefusedAtOnce) {
  const std::string path = Write("huge_zeros.so", "");
  ASSERT_EQ(::truncate(path.c_str(), off_t{64} << 30), 0);  // 64 GiB
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(RefusedUnloaded(loader_, path, "not an ELF file"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// The plugin's own headers, with its program header table moved 32 GiB into
// a 64 GiB sparse file: a note segment that claims gigabytes is refused by
// its size before anything is allocated, and one within the limit but full of
// zeros holds no fingerprint.
TEST_F(HostileFilesTest, HugeFileWithFarAwayHeadersIsRefusedWithoutReadingIt) {
  const std::size_t phoff = Get(plugin_, offsetof(Elf64_Ehdr, e_phoff), 8);
  const std::size_t phnum = Get(plugin_, offsetof(Elf64_Ehdr, e_phnum), 2);
  const std::string table = plugin_.substr(phoff, phnum * sizeof(Elf64_Phdr));
  const NoteInFile note = FindPreloadNote(plugin_);
  ASSERT_NE(note.header_at, 0u);
  const uint64_t far = uint64_t{32} << 30;
  const std::size_t note_phdr = note.phdr_at - phoff;
  struct Case {
    const char* name;
    uint64_t note_size;
    const char* expected;
  };
  for (const Case& c : {Case{"gigabytes", uint64_t{8} << 30, "over the limit"},
                        Case{"zeros", kMaxNoteSegmentBytes,
                             "not a PreloadSDK plugin"}}) {
    std::string header = plugin_.substr(0, sizeof(Elf64_Ehdr));
    Put(header, offsetof(Elf64_Ehdr, e_phoff), far, 8, false);
    std::string moved = table;
    Put(moved, note_phdr + offsetof(Elf64_Phdr, p_offset), far + 4096, 8, false);
    Put(moved, note_phdr + offsetof(Elf64_Phdr, p_filesz), c.note_size, 8, false);
    const std::string path = Write(std::string("far_") + c.name + ".so", header);
    {
      std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
      file.seekp(static_cast<std::streamoff>(far));
      file.write(moved.data(), static_cast<std::streamsize>(moved.size()));
      ASSERT_TRUE(file.flush());
    }
    ASSERT_EQ(::truncate(path.c_str(), off_t{64} << 30), 0);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(RefusedUnloaded(loader_, path, c.expected,
                                /*reader_may_succeed=*/true))
        << c.name;
    EXPECT_LT(std::chrono::steady_clock::now() - start,
              std::chrono::seconds(10))
        << c.name;
  }
}

// An ELF32 plugin as -m32 would build it: its fingerprint says so, and the
// policy refuses it by the fields that differ.
TEST_F(HostileFilesTest, Elf32PluginIsRefusedByItsTarget) {
  const std::string payload = PayloadWith(
      {{"target.arch", "i386"}, {"target.pointer_bits", "32"},
       {"layout.long", "4/4"}});
  const std::string path = Write(
      "elf32.so", SyntheticElf(false, false, EM_386,
                               EncodeNote(std::string(kNoteOwner), kNoteType,
                                          payload, false)));
  EXPECT_TRUE(RefusedUnloaded(loader_, path, "target.pointer_bits: plugin has 32",
                              /*reader_may_succeed=*/true));
}

// A big-endian ELF64 plugin (powerpc64): read in its own byte order, refused
// by its target fields.
TEST_F(HostileFilesTest, BigEndianPluginIsRefusedByItsTarget) {
  const std::string payload = PayloadWith(
      {{"target.arch", "powerpc64"}, {"target.byte_order", "big"}});
  const std::string path = Write(
      "big_endian.so", SyntheticElf(true, true, EM_PPC64,
                                    EncodeNote(std::string(kNoteOwner),
                                               kNoteType, payload, true)));
  absl::StatusOr<std::vector<ElfNote>> notes = ReadNotesOf(path);
  ASSERT_TRUE(notes.ok()) << notes.status();
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ(notes->front().desc, payload);
  EXPECT_TRUE(RefusedUnloaded(loader_, path, "target.byte_order: plugin has big",
                              /*reader_may_succeed=*/true));
}

// Forged containers carrying the host's own fingerprint unchanged: whatever
// passes verification, the dynamic loader refuses another class or byte
// order before mapping anything.
TEST_F(HostileFilesTest, ForeignContainersWithTheHostsFingerprintAreNotLoaded) {
  const std::string payload = PayloadWith({});
  struct Case {
    const char* name;
    bool is64, big_endian;
    uint16_t machine;
  };
  for (const Case& c : {Case{"elf32_forged.so", false, false, EM_386},
                        Case{"big_endian_forged.so", true, true, EM_PPC64}}) {
    const std::string path = Write(
        c.name, SyntheticElf(c.is64, c.big_endian, c.machine,
                             EncodeNote(std::string(kNoteOwner), kNoteType,
                                        payload, c.big_endian)));
    absl::StatusOr<Plugin*> opened = loader_.Open(path);
    ASSERT_FALSE(opened.ok()) << c.name;
    EXPECT_THAT(Text(opened.status()), HasSubstr(path));
    EXPECT_FALSE(IsMapped(path)) << c.name;
    EXPECT_FALSE(ProbeRan());
    EXPECT_TRUE(loader_.plugins().empty());
  }
}

// The whole real plugin with the fingerprint note's or its segment's sizes
// pointing past the segment or the file. Each copy is otherwise loadable, so
// only the reader's bounds checks stand between it and the dynamic loader.
TEST_F(HostileFilesTest, NoteWhoseSizesPointPastTheFileIsRefused) {
  const NoteInFile note = FindPreloadNote(plugin_);
  ASSERT_NE(note.header_at, 0u);
  const std::size_t descsz = Get(plugin_, note.header_at + 4, 4);
  const std::size_t filesz_at = note.phdr_at + offsetof(Elf64_Phdr, p_filesz);
  const std::size_t offset_at = note.phdr_at + offsetof(Elf64_Phdr, p_offset);
  struct Case {
    const char* name;
    std::size_t at, width;
    uint64_t value;
    const char* expected;
  };
  const Case cases[] = {
      {"descsz_huge", note.header_at + 4, 4, 0xfffffff0u,
       "descriptor runs past the segment"},
      {"namesz_huge", note.header_at, 4, 0xffffffffu,
       "name runs past the segment"},
      // Past the segment by a little: the bytes exist in the file, but the
      // note may not borrow them.
      {"descsz_past_segment", note.header_at + 4, 4,
       descsz + (note.segment_end - note.header_at), "runs past the segment"},
      {"segment_past_file", filesz_at, 8, plugin_.size() + 4096,
       "lies outside the file"},
      {"segment_starts_past_file", offset_at, 8, plugin_.size() + 8,
       "lies outside the file"},
  };
  for (const Case& c : cases) {
    std::string bytes = plugin_;
    Put(bytes, c.at, c.value, c.width, false);
    const std::string path = Write(std::string(c.name) + ".so", bytes);
    EXPECT_TRUE(RefusedUnloaded(loader_, path, c.expected)) << c.name;
  }
}

}  // namespace
}  // namespace preload::hardening
