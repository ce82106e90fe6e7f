// Copyright the PreloadSDK authors.
#include "cli/internal/binary_file.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "cli/internal/cli.h"
#include "base/internal/string_view.h"
#include "base/internal/unique_fd.h"
#include "loader/internal/startup_check.h"
#include "preload/elf_notes.h"

namespace preload::cli {
namespace {

using internal::ToAbsl;

BinaryFile Fail(BinaryFile file, FileKind kind, std::string message) {
  file.kind = kind;
  file.message = absl::StrCat(file.path, ": ", message);
  return file;
}

bool HasElfMagic(int fd) {
  char magic[SELFMAG];
  return ::pread(fd, magic, SELFMAG, 0) == SELFMAG &&
         std::memcmp(magic, ELFMAG, SELFMAG) == 0;
}

}  // namespace

BinaryFile ReadBinary(const std::string& path, ReadOptions options) {
  BinaryFile file;
  file.path = path;
  internal::UniqueFd fd(
      ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) {
    return Fail(std::move(file), FileKind::kIoError,
                absl::StrCat("cannot open: ", std::strerror(errno)));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return Fail(std::move(file), FileKind::kIoError, "not a regular file");
  }
  if (!HasElfMagic(fd.get())) {
    return Fail(std::move(file), FileKind::kNotPreload,
                "not a PreloadSDK plugin: not an ELF file");
  }
  file.elf = true;
  absl::StatusOr<std::vector<ElfNote>> notes = ReadElfNotes(fd.get(), path);
  if (!notes.ok()) {
    const bool io = notes.status().code() != absl::StatusCode::kInvalidArgument;
    file.kind = io ? FileKind::kIoError : FileKind::kCorrupt;
    file.message = std::string(notes.status().message());
    return file;
  }
  std::vector<const ElfNote*> fingerprints;
  for (const ElfNote& note : *notes) {
    if (note.owner == kNoteOwner && note.type == kNoteType) {
      fingerprints.push_back(&note);
    } else if (note.owner == "GNU" && note.type == NT_GNU_BUILD_ID) {
      file.build_id = absl::BytesToHexString(note.desc);
    }
  }
  if (fingerprints.empty()) {
    return Fail(std::move(file), FileKind::kNotPreload,
                "not a PreloadSDK plugin: it carries no PreloadSDK "
                "fingerprint note; build it with add_preload_plugin");
  }
  if (fingerprints.size() > 1) {
    return Fail(std::move(file), FileKind::kCorrupt,
                absl::StrCat("carries ", fingerprints.size(),
                             " fingerprint notes where a binary has one; was "
                             "a host or another plugin linked into it?"));
  }
  absl::StatusOr<Fingerprint> parsed =
      Fingerprint::Parse(fingerprints.front()->desc);
  if (!parsed.ok()) {
    return Fail(std::move(file), FileKind::kCorrupt,
                absl::StrCat("corrupt fingerprint note: ",
                             parsed.status().message()));
  }
  file.kind = FileKind::kPreload;
  file.fingerprint = *std::move(parsed);
  if (options.exports) {
    absl::StatusOr<internal::ExportRecords> exports =
        internal::ExportRecordsFromNotes(*notes, path);
    if (exports.ok()) {
      file.exports = *std::move(exports);
    } else {
      file.exports_error = std::string(exports.status().message());
    }
  }
  if (options.dynamic_section) file.dynamic = ReadElfDynamic(fd.get(), path);
  if (!options.startup_effects) return file;
  absl::StatusOr<std::vector<std::string>> effects =
      internal::DescribeStartupEffects(fd.get(), info.st_size, path);
  if (effects.ok()) {
    file.startup_effects = *std::move(effects);
  } else {
    file.startup_effects.push_back(absl::StrCat(
        "could not read the start-up code: ", effects.status().message()));
  }
  return file;
}

int ExitStatusOf(FileKind kind) {
  switch (kind) {
    case FileKind::kPreload: return kExitOk;
    case FileKind::kNotPreload:
    case FileKind::kCorrupt: return kExitRefused;
    case FileKind::kIoError: return kExitUsage;
  }
  return kExitUsage;
}

const Fingerprint& ToolFingerprint() {
  static const Fingerprint* const tool = [] {
    for (const ElfNote& note : FindNotesOfThisProgram(kNoteOwner, kNoteType)) {
      absl::StatusOr<Fingerprint> parsed = Fingerprint::Parse(note.desc);
      if (parsed.ok()) return new Fingerprint(*std::move(parsed));
    }
    return new Fingerprint(SdkFingerprint());
  }();
  return *tool;
}

}  // namespace preload::cli
