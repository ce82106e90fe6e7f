// Copyright the PreloadSDK authors.
//
// Fuzz target for the export records' reader (loader/internal/
// export_records.h), which `preload inspect` runs on untrusted files. Each
// input is read three ways: as a whole file through a memfd
// (ReadExportRecords, as the CLI reads a plugin), as one PT_NOTE segment
// whose export notes are checked as a table, and as a single record's desc.
// Seeds: the first 8 KiB, the note segments and each record of real plugins
// with records, without them, and stripped (make_corpus.py).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "fuzz_check.h"
#include "fuzz_input.h"
#include "loader/internal/export_records.h"
#include "preload/elf_notes.h"

namespace {

using preload::internal::ExportKind;
using preload::internal::ExportRecords;

constexpr std::string_view kFile = "fuzzed.so";

// What every table the reader accepts promises.
void CheckRecords(const ExportRecords& records, size_t input_size) {
  FUZZ_CHECK(records.recorded || records.exports.empty());
  absl::flat_hash_set<std::string> names;
  int inits = 0;
  for (const auto& record : records.exports) {
    FUZZ_CHECK(record.name.size() + record.type.size() <= input_size);
    FUZZ_CHECK(record.name.find('\0') == std::string::npos);
    FUZZ_CHECK(record.type.find('\0') == std::string::npos);
    if (record.kind == ExportKind::kInit) {
      ++inits;
      FUZZ_CHECK(record.name == "init" && record.type.empty());
    } else {
      FUZZ_CHECK(!record.name.empty() && !record.type.empty());
      FUZZ_CHECK(names.insert(record.name).second);
    }
  }
  FUZZ_CHECK(inits <= 1);
}

void CheckError(const absl::Status& status) {
  // Every refusal names the file.
  const std::string message(status.message());
  FUZZ_CHECK(message.compare(0, kFile.size(), kFile) == 0);
}

void FuzzFile(const uint8_t* data, size_t size) {
  const int fd = InputFile("export_records_fuzzer");
  WriteInput(fd, data, size);
  absl::StatusOr<ExportRecords> records =
      preload::internal::ReadExportRecords(fd, kFile);
  if (records.ok()) {
    CheckRecords(*records, size);
  } else {
    CheckError(records.status());
  }
}

void FuzzSegment(std::string_view bytes) {
  absl::StatusOr<std::vector<preload::ElfNote>> notes =
      preload::ParseNoteSegment(bytes, false, 4);
  if (!notes.ok()) return;
  absl::StatusOr<ExportRecords> records =
      preload::internal::ExportRecordsFromNotes(*notes, kFile);
  if (records.ok()) {
    CheckRecords(*records, bytes.size());
  } else {
    CheckError(records.status());
  }
}

void FuzzRecord(std::string_view desc) {
  absl::StatusOr<preload::internal::RawExportRecord> record =
      preload::internal::ParseExportRecord(desc);
  if (!record.ok()) return;
  // A record accepted is exactly: format, kind, name NUL type NUL.
  FUZZ_CHECK(desc.size() == 2 + record->name.size() + 1 +
                                record->type.size() + 1);
  FUZZ_CHECK(desc.back() == '\0');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  FuzzFile(data, size);
  FuzzSegment(bytes);
  FuzzRecord(bytes);
  return 0;
}
