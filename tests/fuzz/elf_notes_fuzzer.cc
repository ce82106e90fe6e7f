// Copyright the PreloadSDK authors.
//
// Fuzz target for the ELF note reader: the input is a whole file, read through
// a memfd by ReadElfNotes exactly as the loader reads a plugin, and the same
// bytes as one PT_NOTE segment for ParseNoteSegment, in both byte orders and
// both alignments. A PreloadSDK note that comes out is handed on to the
// fingerprint parser. The loader's one pass over a plugin's first page
// (elf/internal/plugin_page.h) must agree with the general reader on every
// input it answers for, the start-up code read from what it found included.
// Seeds: the first 8 KiB of real plugins and hosts, their note segments, and
// small plugins whole (tests/fuzz/corpus/elf_notes, made by make_corpus.py).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "elf/internal/elf_file.h"
#include "elf/internal/plugin_page.h"
#include "elf/internal/startup_code.h"
#include "fuzz_check.h"
#include "fuzz_input.h"
#include "preload/elf_notes.h"
#include "preload/fingerprint.h"

namespace {

constexpr std::string_view kFile = "fuzzed.so";

// What every successful read promises, whatever the input.
void CheckNotes(const std::vector<preload::ElfNote>& notes, size_t input_size) {
  // Each note takes at least a 12-byte header in the input.
  FUZZ_CHECK(notes.size() <= input_size / 12);
  for (const preload::ElfNote& note : notes) {
    FUZZ_CHECK(note.owner.empty() || note.owner.back() != '\0');
    FUZZ_CHECK(note.owner.size() + note.desc.size() <= input_size);
    if (note.owner == preload::kNoteOwner && note.type == preload::kNoteType) {
      // The loader's next step; its result does not matter here.
      (void)preload::Fingerprint::Parse(note.desc);
    }
  }
}

// Where the page pass answers, the general readers give the same note and
// the same start-up code, or the same error for it.
void FuzzPluginPage(int fd, size_t size) {
  using preload::internal::ElfFile;
  ElfFile quick(fd, size, kFile);
  if (!quick.ReadHeader().ok() ||
      !preload::internal::ReadPluginPage(quick, preload::kNoteOwner,
                                         preload::kNoteType)) {
    return;
  }
  ElfFile general(fd, size, kFile);
  preload::internal::NoteDescs notes;
  FUZZ_CHECK(preload::internal::FindNoteDescs(general, preload::kNoteOwner,
                                              preload::kNoteType, &notes)
                 .ok());
  FUZZ_CHECK(notes.count == 1 && notes.first == quick.page()->note);
  preload::internal::StartupCode from_page;
  const absl::Status read = preload::internal::ReadStartupCode(quick, &from_page);
  const absl::StatusOr<preload::internal::StartupCode> from_file =
      preload::internal::ReadStartupCode(fd, size, kFile);
  FUZZ_CHECK(read.ok() == from_file.ok());
  if (!read.ok()) {
    FUZZ_CHECK(read.message() == from_file.status().message());
    return;
  }
  FUZZ_CHECK(from_page.functions.size() == from_file->functions.size());
  for (size_t i = 0; i < from_page.functions.size(); ++i) {
    FUZZ_CHECK(from_page.functions[i].address == from_file->functions[i].address);
    FUZZ_CHECK(from_page.functions[i].code() == from_file->functions[i].code());
  }
}

void FuzzFile(const uint8_t* data, size_t size) {
  const int fd = InputFile("elf_notes_fuzzer");
  WriteInput(fd, data, size);
  absl::StatusOr<std::vector<preload::ElfNote>> notes =
      preload::ReadElfNotes(fd, kFile);
  if (notes.ok()) {
    CheckNotes(*notes, size);
  } else {
    // Every refusal names the file, as the loader's messages rely on.
    const std::string message(notes.status().message());
    FUZZ_CHECK(message.compare(0, kFile.size(), kFile) == 0);
  }
  // The reader never moves the file offset.
  FUZZ_CHECK(lseek(fd, 0, SEEK_CUR) == 0);
  FuzzPluginPage(fd, size);

  absl::StatusOr<std::vector<preload::ElfNote>> found = preload::FindElfNotes(
      fd, kFile, preload::kNoteOwner, preload::kNoteType);
  FUZZ_CHECK(found.ok() == notes.ok());
  if (found.ok()) {
    size_t expected = 0;
    for (const preload::ElfNote& note : *notes) {
      expected += note.owner == preload::kNoteOwner &&
                  note.type == preload::kNoteType;
    }
    FUZZ_CHECK(found->size() == expected);
  }
}

void FuzzSegment(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (bool big_endian : {false, true}) {
    for (size_t align : {4, 8}) {
      absl::StatusOr<std::vector<preload::ElfNote>> notes =
          preload::ParseNoteSegment(bytes, big_endian, align);
      if (notes.ok()) CheckNotes(*notes, size);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzFile(data, size);
  FuzzSegment(data, size);
  return 0;
}
