// Copyright the PreloadSDK authors.
//
// Fuzz target for the PT_DYNAMIC reader (<preload/elf_dynamic.h>): the input
// is a whole file, read through a memfd by ReadElfDynamic and ReadElfIdentity
// as `preload deps` and the loader's $ORIGIN check read a library, and by
// ReadElfNotes, which shares their ELF header reader and must refuse a bad
// header in the same words. Seeds: real plugins, hosts and shared objects cut
// to the bytes the reader reads (tests/fuzz/corpus/elf_dynamic, made by
// make_corpus.py).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "fuzz_input.h"
#include "preload/elf_dynamic.h"
#include "preload/elf_notes.h"

namespace {

constexpr std::string_view kFile = "fuzzed.so";

// A string read from the string table: it ended at a NUL, within the input.
void CheckString(const std::string& text, size_t input_size) {
  FUZZ_CHECK(text.find('\0') == std::string::npos);
  FUZZ_CHECK(text.size() < input_size);
}

void CheckOptionalString(const std::optional<std::string>& text,
                         size_t input_size) {
  if (text) CheckString(*text, input_size);
}

// What every successful read promises, whatever the input.
void CheckDynamic(const preload::ElfDynamic& dynamic, size_t input_size) {
  const preload::ElfIdentity& id = dynamic.identity;
  FUZZ_CHECK(id.elf_class == 32 || id.elf_class == 64);
  FUZZ_CHECK(id.SameCodeAs(id));
  if (!dynamic.has_dynamic) {
    FUZZ_CHECK(dynamic.needed.empty() && dynamic.flags_1 == 0);
    FUZZ_CHECK(!dynamic.soname && !dynamic.rpath && !dynamic.runpath);
    return;
  }
  // Each DT_NEEDED takes a dynamic entry of at least 8 bytes in the input.
  FUZZ_CHECK(dynamic.needed.size() <= input_size / 8);
  for (const std::string& library : dynamic.needed) {
    CheckString(library, input_size);
  }
  CheckOptionalString(dynamic.soname, input_size);
  CheckOptionalString(dynamic.rpath, input_size);
  CheckOptionalString(dynamic.runpath, input_size);
}

// Every refusal is InvalidArgument naming the file: a memfd read never fails.
void CheckRefusal(const absl::Status& status) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  const std::string message(status.message());
  FUZZ_CHECK(message.compare(0, kFile.size(), kFile) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = InputFile("elf_dynamic_fuzzer");
  WriteInput(fd, data, size);
  const absl::StatusOr<preload::ElfDynamic> dynamic =
      preload::ReadElfDynamic(fd, kFile);
  const absl::StatusOr<preload::ElfIdentity> identity =
      preload::ReadElfIdentity(fd, kFile);
  if (dynamic.ok()) {
    CheckDynamic(*dynamic, size);
    FUZZ_CHECK(identity.ok());
    FUZZ_CHECK(identity->SameCodeAs(dynamic->identity));
    FUZZ_CHECK(identity->type == dynamic->identity.type);
  } else {
    CheckRefusal(dynamic.status());
  }
  if (!identity.ok()) {
    // The header is read first, by the reader the note reader shares.
    CheckRefusal(identity.status());
    FUZZ_CHECK(dynamic.status() == identity.status());
    const absl::StatusOr<std::vector<preload::ElfNote>> notes =
        preload::ReadElfNotes(fd, kFile);
    FUZZ_CHECK(!notes.ok() && notes.status() == identity.status());
  }
  // The readers never move the file offset.
  FUZZ_CHECK(lseek(fd, 0, SEEK_CUR) == 0);
  return 0;
}
