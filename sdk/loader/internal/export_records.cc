// Copyright the PreloadSDK authors.
#include "loader/internal/export_records.h"

#include <algorithm>
#include <cstddef>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "preload/plugin_abi.h"
#include "preload/version.h"

namespace preload::internal {
namespace {

absl::Status Bad(std::string_view what) {
  return absl::InvalidArgumentError(ToAbsl(what));
}

bool IsKnownKind(char kind) {
  return kind == PRELOAD_RECORD_FUNCTION || kind == PRELOAD_RECORD_VARIABLE ||
         kind == PRELOAD_RECORD_INIT || kind == PRELOAD_RECORD_TABLE;
}

// The text from `at` to the next NUL, which must exist.
absl::StatusOr<std::string_view> Terminated(std::string_view desc,
                                            std::size_t at,
                                            std::string_view what) {
  const std::size_t nul = desc.find('\0', at);
  if (nul == std::string_view::npos) {
    return Bad(absl::StrCat("its ", ToAbsl(what),
                            " runs to the end of the record without a NUL"));
  }
  return desc.substr(at, nul - at);
}

// What a record of its kind may hold.
absl::Status CheckShape(const RawExportRecord& record) {
  switch (record.kind) {
    case PRELOAD_RECORD_FUNCTION:
    case PRELOAD_RECORD_VARIABLE:
      if (record.name.empty()) return Bad("an export has an empty name");
      if (record.type.empty()) return Bad("an export has an empty type");
      return absl::OkStatus();
    case PRELOAD_RECORD_INIT:
      if (record.name != "init" || !record.type.empty()) {
        return Bad("the init record is not named 'init' with no type");
      }
      return absl::OkStatus();
    default:  // PRELOAD_RECORD_TABLE
      if (!record.name.empty() || !record.type.empty()) {
        return Bad("the table's marker has a name or a type");
      }
      return absl::OkStatus();
  }
}

ExportKind KindOf(char kind) {
  if (kind == PRELOAD_RECORD_FUNCTION) return ExportKind::kFunction;
  if (kind == PRELOAD_RECORD_VARIABLE) return ExportKind::kVariable;
  return ExportKind::kInit;
}

absl::Status Malformed(std::string_view file, const absl::Status& why) {
  return absl::InvalidArgumentError(
      absl::StrCat(ToAbsl(file), ": malformed export record: ", why.message(),
                   "; rebuild the plugin with add_preload_plugin"));
}

// Adds one parsed record to `out`, refusing what the whole table forbids.
absl::Status Add(const RawExportRecord& record, bool& have_init,
                 absl::flat_hash_set<std::string_view>& names,
                 ExportRecords& out) {
  if (record.kind == PRELOAD_RECORD_TABLE) {
    if (out.recorded) return Bad("the table's marker appears twice");
    out.recorded = true;
    return absl::OkStatus();
  }
  if (record.kind == PRELOAD_RECORD_INIT) {
    if (have_init) return Bad("PRELOAD_PLUGIN_INIT is recorded twice");
    have_init = true;
  } else if (!names.insert(record.name).second) {
    return Bad(absl::StrCat("'", EscapeText(record.name),
                            "' is exported more than once"));
  }
  out.exports.push_back({KindOf(record.kind), std::string(record.name),
                         std::string(record.type)});
  return absl::OkStatus();
}

}  // namespace

std::string_view ExportKindName(ExportKind kind) {
  switch (kind) {
    case ExportKind::kFunction: return "function";
    case ExportKind::kVariable: return "variable";
    case ExportKind::kInit: return "init";
  }
  return "unknown";
}

absl::StatusOr<RawExportRecord> ParseExportRecord(std::string_view desc) {
  if (desc.size() < 4) {
    return Bad(absl::StrCat("a record of ", desc.size(),
                            " bytes, shorter than the smallest (4)"));
  }
  if (desc[0] != PRELOAD_EXPORT_RECORD_FORMAT) {
    return Bad(absl::StrCat("a record of format ",
                            static_cast<int>(static_cast<unsigned char>(desc[0])),
                            "; this tool reads format ",
                            PRELOAD_EXPORT_RECORD_FORMAT));
  }
  RawExportRecord record;
  record.kind = desc[1];
  if (!IsKnownKind(record.kind)) {
    return Bad(absl::StrCat("a record of unknown kind ",
                            static_cast<int>(static_cast<unsigned char>(desc[1]))));
  }
  absl::StatusOr<std::string_view> name = Terminated(desc, 2, "name");
  if (!name.ok()) return name.status();
  const std::size_t type_at = 2 + name->size() + 1;
  absl::StatusOr<std::string_view> type = Terminated(desc, type_at, "type");
  if (!type.ok()) return type.status();
  const std::size_t end = type_at + type->size() + 1;
  if (end != desc.size()) {
    return Bad(absl::StrCat(desc.size() - end,
                            " bytes follow the type, where the record ends"));
  }
  record.name = *name;
  record.type = *type;
  if (absl::Status shape = CheckShape(record); !shape.ok()) return shape;
  return record;
}

absl::StatusOr<ExportRecords> ExportRecordsFromNotes(
    const std::vector<ElfNote>& notes, std::string_view file) {
  ExportRecords out;
  bool have_init = false;
  absl::flat_hash_set<std::string_view> names;
  bool any = false;
  for (const ElfNote& note : notes) {
    if (note.owner != PRELOAD_NOTE_OWNER ||
        note.type != PRELOAD_EXPORT_NOTE_TYPE) {
      continue;
    }
    any = true;
    absl::StatusOr<RawExportRecord> record = ParseExportRecord(note.desc);
    if (!record.ok()) return Malformed(file, record.status());
    if (absl::Status added = Add(*record, have_init, names, out);
        !added.ok()) {
      return Malformed(file, added);
    }
  }
  if (any && !out.recorded) {
    return Malformed(file, Bad("export records without the table's marker"));
  }
  // The linker's order is the compiler's, which differs between compilers.
  std::sort(out.exports.begin(), out.exports.end(),
            [](const ExportRecord& a, const ExportRecord& b) {
              const bool a_init = a.kind == ExportKind::kInit;
              const bool b_init = b.kind == ExportKind::kInit;
              if (a_init != b_init) return b_init;
              return a.name < b.name;
            });
  return out;
}

absl::StatusOr<ExportRecords> ReadExportRecords(int fd,
                                                std::string_view file) {
  absl::StatusOr<std::vector<ElfNote>> notes = FindElfNotes(
      fd, file, PRELOAD_NOTE_OWNER, PRELOAD_EXPORT_NOTE_TYPE);
  if (!notes.ok()) return notes.status();
  return ExportRecordsFromNotes(*notes, file);
}

std::string_view UnrecordedExportsReason() {
  return "not recorded in the file: the plugin was built by a PreloadSDK "
         "before export records, whose plugins compute their exports' types "
         "in their own code at run time; rebuild it to list them here";
}

}  // namespace preload::internal
