// Copyright the PreloadSDK authors.
//
// The loader's one pass over a plugin's first page (elf/internal/plugin_page.h)
// against the general readers, on real plugins and on thousands of broken
// copies of them: truncated at every header's edge, each header field of the
// ELF header, the program headers, the notes and the dynamic section set to
// odd values, and every byte of the headers flipped. For each copy the
// loader's way (ReadHeader, then the page pass or, when it declines, the
// general note reader; then the start-up code from what the pass found) must
// give exactly what the general readers give: the same error, word for
// word, or the same note and the same start-up functions.
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "elf/internal/elf_file.h"
#include "elf/internal/plugin_page.h"
#include "elf/internal/startup_code.h"
#include "fixture_paths.h"
#include "gtest/gtest.h"
#include "preload/elf_notes.h"
#include "preload/fingerprint.h"

namespace preload::internal {
namespace {

constexpr std::string_view kName = "plugins/copy.so";

std::string Describe(const absl::Status& status) {
  return status.ok() ? "OK" : std::string(status.ToString());
}

// What a reading came to: the notes step, then the start-up code's.
struct Outcome {
  std::string notes;  // "OK" or the error
  std::size_t count = 0;
  std::string first;
  std::string startup;  // "" when the notes step did not give one note
  std::vector<std::pair<uint64_t, std::string>> functions;
  bool quick = false;  // the loader's way took the page pass
};

void ReadStartupInto(const absl::Status& status, const StartupCode& code,
                     Outcome* out) {
  out->startup = Describe(status);
  if (!status.ok()) return;
  for (const StartupFunction& function : code.functions) {
    out->functions.emplace_back(function.address, std::string(function.code()));
  }
}

// The general readers, as before the page pass.
Outcome General(int fd, uint64_t size) {
  Outcome out;
  ElfFile elf(fd, size, kName);
  NoteDescs notes;
  const absl::Status found = FindNoteDescs(elf, kNoteOwner, kNoteType, &notes);
  out.notes = Describe(found);
  if (!found.ok()) return out;
  out.count = notes.count;
  out.first = std::string(notes.first);
  if (notes.count != 1) return out;
  absl::StatusOr<StartupCode> code = ReadStartupCode(fd, size, kName);
  ReadStartupInto(code.status(), code.ok() ? *code : StartupCode(), &out);
  return out;
}

// What the loader does (loader/internal/plugin_file.cc, startup_check.cc).
Outcome LoadersWay(int fd, uint64_t size) {
  Outcome out;
  ElfFile elf(fd, size, kName);
  if (absl::Status header = elf.ReadHeader(); !header.ok()) {
    out.notes = Describe(header);
    return out;
  }
  NoteDescs notes;
  absl::Status found;
  out.quick = ReadPluginPage(elf, kNoteOwner, kNoteType);
  if (out.quick) {
    notes.count = 1;
    notes.first = elf.page()->note;
  } else {
    found = FindNoteDescsAfterHeader(elf, kNoteOwner, kNoteType, &notes);
  }
  out.notes = Describe(found);
  if (!found.ok()) return out;
  out.count = notes.count;
  out.first = std::string(notes.first);
  if (notes.count != 1) return out;
  StartupCode code;
  const absl::Status read = ReadStartupCode(elf, &code);
  ReadStartupInto(read, code, &out);
  return out;
}

std::string FileBytes(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Little-endian fields, as the fixtures are (this machine's order).
uint64_t Get(const std::string& image, std::size_t at, std::size_t width) {
  uint64_t value = 0;
  std::memcpy(&value, image.data() + at, width);
  return value;
}
void Put(std::string* image, std::size_t at, std::size_t width, uint64_t value) {
  if (at + width <= image->size()) std::memcpy(image->data() + at, &value, width);
}

// Copies of `base`, each broken in one way.
class Variants {
 public:
  explicit Variants(std::string base) : base_(std::move(base)) {}

  void Add(std::string image) { images_.push_back(std::move(image)); }
  void Set(std::size_t at, std::size_t width, uint64_t value) {
    std::string image = base_;
    Put(&image, at, width, value);
    Add(std::move(image));
  }
  const std::vector<std::string>& images() const { return images_; }

 private:
  std::string base_;
  std::vector<std::string> images_;
};

const uint64_t kOdd[] = {0, 1, 7, 8, 63, 64, 4095, 4096, 4097, 0xffffffffu,
                         uint64_t{1} << 40, ~uint64_t{0}};

// The variants of one real plugin file.
std::vector<std::string> BrokenCopies(const std::string& base) {
  Variants v(base);
  v.Add(base);
  const uint64_t size = base.size();
  const uint64_t phoff = Get(base, offsetof(Elf64_Ehdr, e_phoff), 8);
  const uint64_t phnum = Get(base, offsetof(Elf64_Ehdr, e_phnum), 2);
  // Truncated: at each header's edges, and every 61 bytes of the first page.
  std::vector<uint64_t> cuts = {0, 3, 4, 15, 16, 63, 64, 4095, 4096, 4097,
                                size - 1};
  for (uint64_t i = 0; i <= phnum; ++i) {
    cuts.push_back(phoff + i * sizeof(Elf64_Phdr));
    cuts.push_back(phoff + i * sizeof(Elf64_Phdr) - 1);
  }
  for (uint64_t at = 0; at < 4200; at += 61) cuts.push_back(at);
  // The identification and the header's fields.
  for (std::size_t at : {EI_CLASS, EI_DATA, EI_VERSION}) {
    for (uint64_t value : {0, 1, 2, 3}) v.Set(at, 1, value);
  }
  for (uint64_t value : kOdd) {
    v.Set(offsetof(Elf64_Ehdr, e_phoff), 8, value);
    v.Set(offsetof(Elf64_Ehdr, e_phoff), 8, phoff + value);
  }
  for (uint64_t value : {0, 1, 32, 55, 56, 57, 64}) {
    v.Set(offsetof(Elf64_Ehdr, e_phentsize), 2, value);
  }
  for (uint64_t value : {uint64_t{0}, uint64_t{1}, phnum - 1, phnum + 1,
                         uint64_t{4096}, uint64_t{4097}, uint64_t{0xffff}}) {
    v.Set(offsetof(Elf64_Ehdr, e_phnum), 2, value);
  }
  // Each program header's fields, and the notes and dynamic entries of the
  // segments they name.
  for (uint64_t i = 0; i < phnum; ++i) {
    const std::size_t at = phoff + i * sizeof(Elf64_Phdr);
    const uint64_t offset = Get(base, at + offsetof(Elf64_Phdr, p_offset), 8);
    const uint64_t filesz = Get(base, at + offsetof(Elf64_Phdr, p_filesz), 8);
    const uint64_t vaddr = Get(base, at + offsetof(Elf64_Phdr, p_vaddr), 8);
    for (uint64_t type : {PT_NULL, PT_LOAD, PT_DYNAMIC, PT_NOTE}) {
      v.Set(at + offsetof(Elf64_Phdr, p_type), 4, type);
    }
    for (uint64_t value : kOdd) {
      v.Set(at + offsetof(Elf64_Phdr, p_offset), 8, value);
      v.Set(at + offsetof(Elf64_Phdr, p_filesz), 8, value);
      v.Set(at + offsetof(Elf64_Phdr, p_vaddr), 8, value);
    }
    for (int64_t delta : {-8, -1, 1, 8}) {
      v.Set(at + offsetof(Elf64_Phdr, p_offset), 8, offset + delta);
      v.Set(at + offsetof(Elf64_Phdr, p_filesz), 8, filesz + delta);
      v.Set(at + offsetof(Elf64_Phdr, p_vaddr), 8, vaddr + delta);
    }
    v.Set(at + offsetof(Elf64_Phdr, p_filesz), 8, preload::kMaxNoteSegmentBytes + 1);
    v.Set(at + offsetof(Elf64_Phdr, p_filesz), 8, size - offset);
    v.Set(at + offsetof(Elf64_Phdr, p_filesz), 8, size - offset + 1);
    for (uint64_t align : {0, 1, 4, 8, 16}) {
      v.Set(at + offsetof(Elf64_Phdr, p_align), 8, align);
    }
    cuts.push_back(offset + filesz - 1);
    cuts.push_back(offset + filesz / 2);
    const uint32_t type = Get(base, at + offsetof(Elf64_Phdr, p_type), 4);
    if (type == PT_NOTE) {
      // Each note's header words, and each note made a PreloadSDK note.
      for (uint64_t note = offset; note + 12 <= offset + filesz;) {
        const uint64_t namesz = Get(base, note, 4), descsz = Get(base, note + 4, 4);
        for (uint64_t value : kOdd) {
          v.Set(note, 4, value);
          v.Set(note + 4, 4, value);
        }
        for (int64_t delta : {-4, -1, 1, 4}) {
          v.Set(note, 4, namesz + delta);
          v.Set(note + 4, 4, descsz + delta);
        }
        v.Set(note + 8, 4, kNoteType);
        v.Set(note + 8, 4, kNoteType + 1);
        std::string image = base;
        Put(&image, note, 4, kNoteOwner.size() + 1);
        Put(&image, note + 8, 4, kNoteType);
        image.replace(note + 12, kNoteOwner.size() + 1,
                      std::string(kNoteOwner) + '\0');
        v.Add(std::move(image));
        note += 12 + (namesz + 3) / 4 * 4 + (descsz + 3) / 4 * 4;
      }
    }
    if (type == PT_DYNAMIC) {
      for (uint64_t entry = offset; entry + 16 <= offset + filesz; entry += 16) {
        for (uint64_t tag : {DT_NULL, DT_INIT, DT_INIT_ARRAY, DT_INIT_ARRAYSZ,
                             DT_PREINIT_ARRAY, DT_PREINIT_ARRAYSZ}) {
          v.Set(entry, 8, tag);
        }
        const uint64_t value = Get(base, entry + 8, 8);
        for (uint64_t odd : kOdd) v.Set(entry + 8, 8, odd);
        for (int64_t delta : {-8, -1, 1, 8}) v.Set(entry + 8, 8, value + delta);
      }
    }
  }
  for (uint64_t cut : cuts) {
    if (cut < size) v.Add(base.substr(0, cut));
  }
  // Every byte of the headers and the first page's notes flipped.
  for (std::size_t at = 0; at < std::min<std::size_t>(size, 1536); ++at) {
    std::string image = base;
    image[at] = static_cast<char>(image[at] ^ 0x81);
    v.Add(std::move(image));
  }
  return v.images();
}

class PluginPageTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    fd_ = ::memfd_create("plugin_page_test", MFD_CLOEXEC);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override { ::close(fd_); }
  uint64_t Write(const std::string& image) {
    EXPECT_EQ(::ftruncate(fd_, 0), 0);
    EXPECT_EQ(::pwrite(fd_, image.data(), image.size(), 0),
              static_cast<ssize_t>(image.size()));
    return image.size();
  }
  int fd_ = -1;
};

TEST_P(PluginPageTest, TheRealFileTakesThePagePassWithTheSameResult) {
  const std::string base = FileBytes(GetParam());
  ASSERT_GT(base.size(), 4096u);
  const uint64_t size = Write(base);
  const Outcome general = General(fd_, size);
  const Outcome quick = LoadersWay(fd_, size);
  ASSERT_EQ(general.notes, "OK");
  ASSERT_EQ(general.count, 1u);
  EXPECT_TRUE(quick.quick) << "an ordinary plugin should take the page pass";
  EXPECT_EQ(quick.first, general.first);
  EXPECT_EQ(quick.startup, "OK");
  EXPECT_EQ(quick.startup, general.startup);
  // Not vacuous: a real plugin lists start-up functions (DT_INIT, its
  // init array).
  EXPECT_FALSE(general.functions.empty());
  EXPECT_EQ(quick.functions, general.functions);
}

TEST_P(PluginPageTest, EveryBrokenCopyGivesTheGeneralReadersVerdict) {
  const std::vector<std::string> copies = BrokenCopies(FileBytes(GetParam()));
  std::size_t quick_count = 0, refused = 0;
  for (std::size_t i = 0; i < copies.size(); ++i) {
    const uint64_t size = Write(copies[i]);
    const Outcome general = General(fd_, size);
    const Outcome quick = LoadersWay(fd_, size);
    SCOPED_TRACE(::testing::Message() << "copy " << i << " of " << copies.size()
                                      << ", " << size << " bytes");
    ASSERT_EQ(quick.notes, general.notes);
    ASSERT_EQ(quick.count, general.count);
    ASSERT_EQ(quick.first, general.first);
    ASSERT_EQ(quick.startup, general.startup);
    ASSERT_EQ(quick.functions, general.functions);
    if (quick.quick) {
      ++quick_count;
      // The pass answers only for a file the general reader accepts.
      ASSERT_EQ(general.notes, "OK");
      ASSERT_EQ(general.count, 1u);
    }
    refused += general.notes != "OK" || general.count != 1 ||
               general.startup != "OK";
  }
  // Both ways were exercised: copies the pass took, and copies refused.
  EXPECT_GT(quick_count, 100u);
  EXPECT_GT(refused, 100u);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PluginPageTest,
                         ::testing::Values(FX_GOOD, FX_GOOD_STRIPPED, FX_ORIGIN,
                                           FX_STARTUP_FASTMATH));

}  // namespace
}  // namespace preload::internal
