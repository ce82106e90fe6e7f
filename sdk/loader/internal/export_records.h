// Copyright the PreloadSDK authors.
//
// loader/internal/export_records.h — what a plugin exports, read from its
// file's export records (<preload/plugin_abi.h>): names, kinds and type
// spellings, without running or mapping anything of the plugin.
//
//   absl::StatusOr<std::vector<ElfNote>> notes = ReadElfNotes(fd, path);
//   absl::StatusOr<ExportRecords> records = ExportRecordsFromNotes(*notes, path);
//   if (records.ok() && records->recorded)
//     for (const ExportRecord& r : records->exports) ...
//
// Everything read is untrusted: a malformed record is an error naming the
// file and what is wrong, never a crash.
#ifndef PRELOAD_LOADER_INTERNAL_EXPORT_RECORDS_H_
#define PRELOAD_LOADER_INTERNAL_EXPORT_RECORDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "preload/elf_notes.h"

namespace preload::internal {

enum class ExportKind { kFunction, kVariable, kInit };

// "function", "variable" or "init".
std::string_view ExportKindName(ExportKind kind);

struct ExportRecord {
  ExportKind kind = ExportKind::kFunction;
  std::string name;
  std::string type;  // TypeName<T>() spelling; empty for an init
};

struct ExportRecords {
  // False for a plugin built before export records (no table marker): what
  // it exports is then known only to code that runs once it is loaded.
  bool recorded = false;
  // Sorted by name, the init (if any) last.
  std::vector<ExportRecord> exports;
};

// One record as it stands in a note's desc, the table's marker included;
// `name` and `type` are views into that desc.
struct RawExportRecord {
  char kind = 0;  // PRELOAD_RECORD_*
  std::string_view name, type;
};

// Parses one record's desc: InvalidArgument saying what is wrong (another
// format, an unknown kind, a name or type without its NUL, bytes after the
// type, a name or type where there must be none).
[[nodiscard]] absl::StatusOr<RawExportRecord> ParseExportRecord(
    std::string_view desc);

// The export records among `notes` (the others are ignored), checked as a
// whole: at most one table marker, no record without it, each name once, at
// most one init. Errors are InvalidArgument naming `file`.
[[nodiscard]] absl::StatusOr<ExportRecords> ExportRecordsFromNotes(
    const std::vector<ElfNote>& notes, std::string_view file);

// Reads the notes of the file open on `fd` (pread only) and returns its
// export records; the errors of FindElfNotes and of ExportRecordsFromNotes.
[[nodiscard]] absl::StatusOr<ExportRecords> ReadExportRecords(
    int fd, std::string_view file);

// Why a plugin without records lists no exports, for the CLI.
std::string_view UnrecordedExportsReason();

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_EXPORT_RECORDS_H_
