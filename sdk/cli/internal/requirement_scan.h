// Copyright the PreloadSDK authors.
//
// cli/internal/requirement_scan.h — what `preload scan` says about the
// plugins a compatible plugin requires: each is looked for in the plugin's
// own directory, as <name>.so, and checked exactly as the scan checks every
// file (the same PluginChecker). A plugin whose requirement is missing there
// or not compatible is reported as missing_requirements; one whose
// requirement's version does not meet its constraint as
// unsatisfied_requirements. Only direct requirements are checked: each
// requirement is a file of the scan too, reported on its own line.
#ifndef PRELOAD_CLI_INTERNAL_REQUIREMENT_SCAN_H_
#define PRELOAD_CLI_INTERNAL_REQUIREMENT_SCAN_H_

#include "absl/functional/function_ref.h"
#include "cli/internal/plugin_check.h"

namespace preload::cli {

// Turns a compatible `check` into missing_requirements or
// unsatisfied_requirements when a requirement fails, with the first reason.
// `directory` gives the scanned directory the plugin is an entry of, or
// null; asked only for a plugin that requires others (the scan opens it for
// the loader then).
void CheckRequirementsInDirectory(
    PluginCheck& check, PluginChecker& checker,
    absl::FunctionRef<const PluginDirectory*()> directory);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_REQUIREMENT_SCAN_H_
