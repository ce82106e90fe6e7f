// Copyright the PreloadSDK authors.
//
// cli/internal/output.h — how the tool prints: colour only on a terminal and never
// with NO_COLOR, JSON through nlohmann::ordered_json (fields keep the order
// they are written in, as documented in docs/cli.md).
#ifndef PRELOAD_CLI_INTERNAL_OUTPUT_H_
#define PRELOAD_CLI_INTERNAL_OUTPUT_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace preload::cli {

using Json = nlohmann::ordered_json;

enum class Color { kNone, kGreen, kYellow, kRed, kBold, kDim };

// Wraps `text` in the colour's escape codes when stdout is a terminal and
// NO_COLOR is unset; otherwise returns it unchanged.
std::string Paint(std::string_view text, Color color);

// Pads `text` with spaces to `width` columns (UTF-8 aware enough for names).
std::string Pad(std::string_view text, std::size_t width);

// Writes `json` to stdout, indented, with a final newline. Invalid UTF-8 in
// a file's strings is replaced, never a crash.
void PrintJson(const Json& json);

// Writes "preload COMMAND: message" to stderr.
void PrintError(std::string_view command, std::string_view message);
void PrintError(std::string_view command, const absl::Status& status);

// A usage error (exit status 2): "preload <command>: <message>" on standard
// error and, with `json`, also {"command", "error", "exit_status": 2} on
// standard output, so that a script reading JSON always gets a document.
// `command` may be empty (no command was recognised).
void PrintUsageError(std::string_view command, std::string_view message,
                     bool json);
void PrintUsageError(std::string_view command, const absl::Status& status,
                     bool json);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_OUTPUT_H_
