// Copyright the PreloadSDK authors.
//
// cli/internal/render.h — fingerprints and verdicts as text and as JSON. The verdict
// renderings are made from the same preload::Verdict the loader turns into
// its error, field for field.
#ifndef PRELOAD_CLI_INTERNAL_RENDER_H_
#define PRELOAD_CLI_INTERNAL_RENDER_H_

#include <string>
#include <string_view>

#include "cli/internal/binary_file.h"
#include "cli/internal/output.h"
#include "preload/fingerprint.h"
#include "preload/policy.h"

namespace preload::cli {

// The group a field is shown in: identity, sdk, toolchain, abi, host_abis,
// build or other.
std::string_view FieldGroup(std::string_view key);

// Every field, grouped and aligned, each line starting with `indent`.
std::string FingerprintToText(const Fingerprint& fingerprint,
                              std::string_view indent);

// {"kind", "name", "version", "fields": [{"key","value","group"}...],
//  "host_abis": {name: version}}
Json FingerprintToJson(const Fingerprint& fingerprint);

// "plugin fx_good 1.2.0" and the like.
std::string Describe(const Fingerprint& fingerprint);

// The table of the fields compared: field, outcome, plugin and host values,
// and under each refused or allowed field its hint. Only the fields that
// differ (refused, allowed) and a count of the others, or with `all` every
// field.
std::string VerdictToText(const Verdict& verdict, std::string_view indent,
                          bool all);

// {"policy", "accepted", "refused_count", "comparisons": [...]}
Json VerdictToJson(const Verdict& verdict);

// A BinaryFile that is not kPreload, for JSON: "not_plugin", "corrupt" or
// "error" in `result`, and its message.
std::string_view ResultName(FileKind kind);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_RENDER_H_
