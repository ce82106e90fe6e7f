// Copyright the PreloadSDK authors.
//
// cli/internal/cli.h — what the `preload` tool's commands share: exit statuses, the
// parsed command line, and one entry point per command (one .cc each).
// The tool never loads a plugin: it reads files and prints.
#ifndef PRELOAD_CLI_INTERNAL_CLI_H_
#define PRELOAD_CLI_INTERNAL_CLI_H_

#include <string>
#include <string_view>
#include <vector>

namespace preload::cli {

// The exit statuses every command uses; a run with several files ends with
// the most severe one.
enum ExitStatus : int {
  kExitOk = 0,        // every file compatible / every library found
  kExitRefused = 1,   // something refused, missing, or not a plugin
  kExitUsage = 2,     // a usage error, or a file or directory unreadable
};

inline int Worse(int a, int b) { return a > b ? a : b; }

// A command: its name, synopsis, what it does, which flags it takes and how
// many positional arguments.
struct CommandSpec {
  std::string_view name;
  std::string_view synopsis;     // e.g. "check PLUGIN... [--against HOST]"
  std::string_view summary;      // one line, for `preload --help`
  std::string_view description;  // the command's --help text
  std::vector<std::string_view> flags;
  int min_args = 0;
  int max_args = -1;  // -1: no limit
  int (*run)(const std::vector<std::string>& args) = nullptr;
};

// The commands, in the order `preload --help` lists them.
const std::vector<CommandSpec>& Commands();

int RunInspect(const std::vector<std::string>& args);
int RunCheck(const std::vector<std::string>& args);
int RunScan(const std::vector<std::string>& args);
int RunDeps(const std::vector<std::string>& args);
int RunFingerprint(const std::vector<std::string>& args);
int RunNew(const std::vector<std::string>& args);
int RunKeygen(const std::vector<std::string>& args);
int RunSign(const std::vector<std::string>& args);
int RunDigest(const std::vector<std::string>& args);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_CLI_H_
