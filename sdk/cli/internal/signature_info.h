// Copyright the PreloadSDK authors.
//
// cli/internal/signature_info.h — what `inspect` and `check` say about a
// plugin's detached signature (PLUGIN.so.minisig) without trusting it: the
// key id it names. Whether the signature holds is the loader's to say.
#ifndef PRELOAD_CLI_INTERNAL_SIGNATURE_INFO_H_
#define PRELOAD_CLI_INTERNAL_SIGNATURE_INFO_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "cli/internal/output.h"

namespace preload::cli {

struct SignatureInfo {
  std::string path;                  // PLUGIN.so.minisig
  bool present = false;              // the file exists
  std::optional<std::string> key_id; // the signer it names, if it parses
  std::string error;                 // why it does not parse, or cannot be read
};

SignatureInfo ReadSignatureInfo(const std::string& plugin_path);
// "key F80A25E8E3C61CD9 (hello.so.minisig)", "none", or the error.
std::string SignatureText(const SignatureInfo& info);
// null when absent; {"file", "key_id"} or {"file", "error"}.
Json SignatureToJson(const SignatureInfo& info);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_SIGNATURE_INFO_H_
