// Copyright the PreloadSDK authors.
//
// preload inspect FILE... — the fingerprint of each plugin or host, grouped,
// and what each plugin exports, read from its export records.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "base/internal/escape.h"
#include "absl/strings/str_cat.h"
#include "cli/internal/binary_file.h"
#include "cli/internal/cli.h"
#include "cli/internal/flags.h"
#include "cli/internal/output.h"
#include "cli/internal/render.h"
#include "cli/internal/signature_info.h"

namespace preload::cli {
namespace {

using internal::ExportKind;
using internal::ExportRecord;

Json ExportsToJson(const internal::ExportRecords& records) {
  if (!records.recorded) return nullptr;
  Json exports = Json::array();
  for (const ExportRecord& record : records.exports) {
    exports.push_back(
        Json{{"name", record.name},
             {"kind", internal::ExportKindName(record.kind)},
             {"type", record.kind == ExportKind::kInit ? Json(nullptr)
                                                       : Json(record.type)}});
  }
  return exports;
}

// "  Exports" and a line per export: name, kind, type, in columns.
void PrintExports(const internal::ExportRecords& records) {
  std::cout << "  " << Paint("Exports", Color::kBold);
  if (!records.recorded) {
    std::cout << " " << internal::UnrecordedExportsReason() << "\n";
    return;
  }
  std::cout << (records.exports.empty() ? " none" : "") << "\n";
  std::size_t width = 0;
  for (const ExportRecord& record : records.exports) {
    width = std::max(width, internal::EscapeText(record.name).size());
  }
  for (const ExportRecord& record : records.exports) {
    std::cout << "    " << Pad(internal::EscapeText(record.name), width + 2);
    if (record.type.empty()) {  // an init: no type, no trailing spaces
      std::cout << internal::ExportKindName(record.kind) << "\n";
    } else {
      std::cout << Pad(internal::ExportKindName(record.kind), 10)
                << internal::EscapeText(record.type) << "\n";
    }
  }
}

bool IsPlugin(const BinaryFile& file) {
  return file.fingerprint->kind() == "plugin";
}

Json ToJson(const BinaryFile& file) {
  Json out = {{"path", file.path}, {"result", ResultName(file.kind)}};
  if (file.kind != FileKind::kPreload) {
    out["message"] = file.message;
    return out;
  }
  const Json fingerprint = FingerprintToJson(*file.fingerprint);
  for (const auto& [key, value] : fingerprint.items()) out[key] = value;
  out["build_id"] = file.build_id.empty() ? Json(nullptr) : Json(file.build_id);
  out["startup_effects"] = file.startup_effects;
  if (IsPlugin(file)) {
    out["signature"] = SignatureToJson(ReadSignatureInfo(file.path));
    out["exports"] = ExportsToJson(file.exports);
    if (!file.exports.recorded) {
      out["exports_message"] = internal::UnrecordedExportsReason();
    }
  }
  return out;
}

void PrintText(const BinaryFile& file) {
  if (file.kind != FileKind::kPreload) {
    std::cout << Paint(internal::EscapeKeepingLines(file.message), Color::kRed)
              << "\n";
    return;
  }
  std::cout << Paint(internal::EscapeText(file.path), Color::kBold)
            << ": PreloadSDK "
            << Describe(*file.fingerprint) << "\n"
            << FingerprintToText(*file.fingerprint, "  ");
  if (IsPlugin(file)) PrintExports(file.exports);
  std::cout << "  " << Paint("GNU build-id", Color::kBold) << " "
            << (file.build_id.empty() ? "none" : file.build_id) << "\n";
  std::cout << "  " << Paint("start-up effects", Color::kBold)
            << (file.startup_effects.empty() ? " none" : "") << "\n";
  for (const std::string& effect : file.startup_effects) {
    std::cout << "    " << Paint(effect, Color::kRed) << "\n";
  }
  if (IsPlugin(file)) {
    // Named, not verified: inspect trusts no key (check --trusted-key does).
    const SignatureInfo signature = ReadSignatureInfo(file.path);
    std::cout << "  " << Paint("signature", Color::kBold) << " "
              << SignatureText(signature)
              << (signature.key_id ? ", not verified here: preload check "
                                     "--trusted-key verifies it"
                                   : "")
              << "\n";
  }
}

}  // namespace

int RunInspect(const std::vector<std::string>& args) {
  const bool json = absl::GetFlag(FLAGS_json);
  int status = kExitOk;
  Json files = Json::array();
  for (std::size_t i = 0; i < args.size(); ++i) {
    BinaryFile file = ReadBinary(args[i]);
    // Malformed export records make the file corrupt here: inspect shows
    // what a file holds, and cannot show this.
    if (file.kind == FileKind::kPreload && !file.exports_error.empty()) {
      file.kind = FileKind::kCorrupt;
      file.message = file.exports_error;
    }
    status = Worse(status, ExitStatusOf(file.kind));
    if (json) {
      files.push_back(ToJson(file));
    } else {
      if (i > 0) std::cout << "\n";
      PrintText(file);
    }
  }
  if (json) {
    PrintJson(Json{{"command", "inspect"},
                   {"files", std::move(files)},
                   {"exit_status", status}});
  }
  return status;
}

int RunFingerprint(const std::vector<std::string>&) {
  const Fingerprint& tool = ToolFingerprint();
  if (absl::GetFlag(FLAGS_json)) {
    Json out = {{"command", "fingerprint"}};
    const Json fingerprint = FingerprintToJson(tool);
    for (const auto& [key, value] : fingerprint.items()) out[key] = value;
    out["exit_status"] = 0;
    PrintJson(out);
    return kExitOk;
  }
  std::cout << "The toolchain this preload tool was built with ("
            << Describe(tool) << "):\n"
            << FingerprintToText(tool, "  ");
  return kExitOk;
}

}  // namespace preload::cli
