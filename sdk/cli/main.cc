// Copyright the PreloadSDK authors.
//
// preload — inspect and check PreloadSDK plugins without loading them.
// This file only dispatches; each command lives in its own cmd_*.cc.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cli/internal/args.h"
#include "cli/internal/cli.h"
#include "cli/internal/output.h"
#include "preload/version.h"

namespace preload::cli {

namespace {

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& command : Commands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

// Whether --json is among the options, looked for before they are parsed:
// a command line that does not parse is answered in JSON too.
bool WantsJson(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--json" || arg == "--json=true") return true;
  }
  return false;
}

// preload help [COMMAND]: the tool's help, or the command's --help.
int RunHelp(int argc, char** argv) {
  if (argc < 3) {
    std::cout << ToolHelp();
    return kExitOk;
  }
  const CommandSpec* command = FindCommand(argv[2]);
  if (command == nullptr) {
    PrintUsageError("help", absl::StrCat("unknown command '", argv[2],
                                         "'; the commands are ", CommandNames()),
                    false);
    return kExitUsage;
  }
  std::cout << CommandHelp(*command);
  return kExitOk;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << ToolHelp();
    return kExitUsage;
  }
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h") {
    std::cout << ToolHelp();
    return kExitOk;
  }
  if (first == "help") return RunHelp(argc, argv);
  if (first == "--version") {
    std::cout << "preload (PreloadSDK) " << PRELOAD_SDK_VERSION_STRING << "\n";
    return kExitOk;
  }
  const bool json = WantsJson(argc, argv);
  const CommandSpec* command = FindCommand(first);
  if (command == nullptr) {
    PrintUsageError("", absl::StrCat("unknown command '", std::string(first),
                                     "'; run 'preload --help' for the commands"),
                    json);
    return kExitUsage;
  }
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(*command, argc, argv, 2);
  if (!parsed.ok()) {
    PrintUsageError(command->name, parsed.status(), json);
    return kExitUsage;
  }
  if (parsed->help) {
    std::cout << CommandHelp(*command);
    return kExitOk;
  }
  return command->run(parsed->operands);
}

}  // namespace
}  // namespace preload::cli

int main(int argc, char** argv) { return preload::cli::Main(argc, argv); }
