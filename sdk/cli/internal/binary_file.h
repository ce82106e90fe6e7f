// Copyright the PreloadSDK authors.
//
// cli/internal/binary_file.h — what the tool learns from one file without loading it:
// whether it is a PreloadSDK binary, its fingerprint, its GNU build-id and
// what a plugin exports.
#ifndef PRELOAD_CLI_INTERNAL_BINARY_FILE_H_
#define PRELOAD_CLI_INTERNAL_BINARY_FILE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "loader/internal/export_records.h"
#include "preload/elf_dynamic.h"
#include "preload/fingerprint.h"

namespace preload::cli {

enum class FileKind {
  kPreload,     // carries one well-formed PreloadSDK fingerprint
  kNotPreload,  // not ELF, or ELF without a PreloadSDK note
  kCorrupt,     // ELF whose headers or fingerprint note are malformed
  kIoError,     // cannot be opened or read, or not a regular file
};

struct BinaryFile {
  std::string path;
  FileKind kind = FileKind::kIoError;
  bool elf = false;     // it starts with the ELF magic
  std::string message;  // why it is not kPreload, naming the file
  std::optional<Fingerprint> fingerprint;
  std::string build_id;  // lower-case hex; empty if the file has none
  // What its start-up code would do to the process's floating-point state
  // (the loader refuses a plugin with any), in words; or why it could not
  // be read.
  std::vector<std::string> startup_effects;
  // A plugin's export records (internal::ExportRecords), read from its notes;
  // `exports_error` says why they are malformed (then `exports` is empty).
  internal::ExportRecords exports;
  std::string exports_error;
  // A PreloadSDK binary's dynamic section, read through the same descriptor
  // (ReadOptions::dynamic_section), or why it could not be read.
  std::optional<absl::StatusOr<ElfDynamic>> dynamic;
};

// What ReadBinary reads besides the note. `inspect` shows the start-up
// code's effects; the plugin checks need the dynamic section instead, and
// read it here rather than opening the file once more.
struct ReadOptions {
  bool startup_effects = true;
  bool exports = true;  // the export records (internal::ExportRecords)
  bool dynamic_section = false;
};

// Reads `path`. Never fails: the outcome is in `kind` and `message`.
BinaryFile ReadBinary(const std::string& path, ReadOptions options = {});

// The exit status a file of this kind contributes (0 for kPreload).
int ExitStatusOf(FileKind kind);

// The fingerprint the tool itself carries (target_preload_host(preload)),
// or the SDK library's if it has none.
const Fingerprint& ToolFingerprint();

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_BINARY_FILE_H_
