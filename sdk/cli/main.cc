// Copyright the PreloadSDK authors.
//
// preload — inspect and check PreloadSDK plugins without loading them.
// This file only dispatches; each command lives in its own cmd_*.cc.
#include <iostream>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/internal/args.h"
#include "cli/internal/cli.h"
#include "cli/internal/output.h"
#include "preload/version.h"

namespace preload::cli {

namespace {

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << ToolHelp();
    return kExitUsage;
  }
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    std::cout << ToolHelp();
    return kExitOk;
  }
  if (first == "--version") {
    std::cout << "preload (PreloadSDK) " << PRELOAD_SDK_VERSION_STRING << "\n";
    return kExitOk;
  }
  for (const CommandSpec& command : Commands()) {
    if (command.name != first) continue;
    absl::StatusOr<ParsedArgs> parsed = ParseArgs(command, argc, argv, 2);
    if (!parsed.ok()) {
      std::cerr << parsed.status().message() << "\n";
      return kExitUsage;
    }
    if (parsed->help) {
      std::cout << CommandHelp(command);
      return kExitOk;
    }
    return command.run(parsed->operands);
  }
  std::cerr << "preload: unknown command '" << first
            << "'; run 'preload --help' for the commands\n";
  return kExitUsage;
}

}  // namespace
}  // namespace preload::cli

int main(int argc, char** argv) { return preload::cli::Main(argc, argv); }
