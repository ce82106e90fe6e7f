// Copyright the PreloadSDK authors.
//
// cli/internal/args.h — the command line of one command, parsed against the flags
// defined with Abseil flags (cli/flags.h).
//
// absl::ParseCommandLine is not used on purpose: it ends the process with
// status 1 on a bad flag (the tool's usage status is 2) and its --help lists
// Abseil's own flags. Here each flag's value is still parsed by Abseil
// (CommandLineFlag::ParseFrom), but a command accepts only its own flags,
// flags and operands may be mixed, `--` ends the flags, and a repeated
// list flag (--abi) accumulates.
#ifndef PRELOAD_CLI_INTERNAL_ARGS_H_
#define PRELOAD_CLI_INTERNAL_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/internal/cli.h"

namespace preload::cli {

struct ParsedArgs {
  bool help = false;              // --help or -h was given
  std::vector<std::string> operands;
};

// Parses argv[first..argc) for `command`. InvalidArgument names the problem:
// an unknown flag, a flag of another command, a missing or malformed value,
// or the wrong number of operands.
[[nodiscard]] absl::StatusOr<ParsedArgs> ParseArgs(const CommandSpec& command,
                                                   int argc, char** argv,
                                                   int first);

// The --help text of a command: synopsis, description, options.
std::string CommandHelp(const CommandSpec& command);

// The --help text of the tool.
std::string ToolHelp();

// "inspect, check, ...": the commands' names, for an error.
std::string CommandNames();

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_ARGS_H_
