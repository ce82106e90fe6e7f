// Copyright the PreloadSDK authors.
#include "cli/internal/signature_info.h"

#include "absl/strings/str_cat.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "loader/internal/provenance.h"
#include "signing/internal/minisign_format.h"
#include "signing/internal/small_file.h"

namespace preload::cli {

using internal::ToAbsl;

SignatureInfo ReadSignatureInfo(const std::string& plugin_path) {
  SignatureInfo info;
  info.path = absl::StrCat(plugin_path, ToAbsl(internal::kSignatureSuffix));
  absl::StatusOr<std::string> text =
      internal::ReadSmallFile(info.path, internal::kMaxSignatureFileBytes);
  if (absl::IsNotFound(text.status())) return info;
  info.present = true;
  if (!text.ok()) {
    info.error = std::string(text.status().message());
    return info;
  }
  absl::StatusOr<internal::MinisignSignature> signature =
      internal::ParseSignature(*text);
  if (!signature.ok()) {
    info.error = absl::StrCat(info.path, ": ", signature.status().message());
    return info;
  }
  info.key_id = internal::KeyIdText(signature->key_id);
  return info;
}

std::string SignatureText(const SignatureInfo& info) {
  if (!info.present) return "none";
  if (!info.key_id) return absl::StrCat("unreadable: ", internal::EscapeText(info.error));
  const std::size_t slash = info.path.rfind('/');
  return absl::StrCat("key ", *info.key_id, " (",
                      internal::EscapeText(slash == std::string::npos
                                               ? info.path
                                               : info.path.substr(slash + 1)),
                      ")");
}

Json SignatureToJson(const SignatureInfo& info) {
  if (!info.present) return nullptr;
  Json out = {{"file", info.path}};
  if (info.key_id) {
    out["key_id"] = *info.key_id;
  } else {
    out["error"] = info.error;
  }
  return out;
}

}  // namespace preload::cli
