// Copyright the PreloadSDK authors.
#include "cli/internal/args.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cli/internal/flags.h"
#include "cli/internal/output.h"
#include "base/internal/string_view.h"

ABSL_FLAG(bool, json, false,
          "print JSON instead of text (the schema is in docs/cli.md)");
ABSL_FLAG(std::string, against, "",
          "HOST: compare with the fingerprint of this host executable instead "
          "of the tool's own");
ABSL_FLAG(std::string, policy, "strict",
          "the policy: strict (the default) or compatible");
ABSL_FLAG(bool, all, false,
          "show every field compared and every library, not only the fields "
          "that differ and the libraries missing");
ABSL_FLAG(bool, allow_insecure, false,
          "do not check who may write the plugin files (a development tree "
          "under umask 002); without it such a file is 'untrusted'");
ABSL_FLAG(bool, direct, false,
          "list only the file's own DT_NEEDED libraries, not theirs");
ABSL_FLAG(std::string, dir, "",
          "DIR: where to create the project (default: ./NAME)");
ABSL_FLAG(std::vector<std::string>, abi, {},
          "NAME=VERSION: a host ABI the plugin requires (repeatable, or "
          "comma-separated)");
ABSL_FLAG(std::vector<std::string>, trusted_key, {},
          "NAME.pub: accept only plugins signed by this minisign public key "
          "(repeatable), besides any key the host's note trusts");
ABSL_FLAG(std::string, out, "",
          "NAME: write the secret key to NAME.key (mode 0600) and the public "
          "key to NAME.pub");
ABSL_FLAG(std::string, key, "",
          "NAME.key: the secret key to sign with (preload keygen, or "
          "minisign -G -W)");
ABSL_FLAG(bool, quiet, false, "print nothing but errors");

namespace preload::cli {
namespace {

using internal::ToAbsl;

bool Accepts(const CommandSpec& command, std::string_view flag) {
  return std::find(command.flags.begin(), command.flags.end(), flag) !=
         command.flags.end();
}

absl::Status Usage(const CommandSpec& command, std::string_view message) {
  // PrintUsageError puts "preload <command>: " in front.
  return absl::InvalidArgumentError(
      absl::StrCat(ToAbsl(message), "\nRun 'preload help ",
                   ToAbsl(command.name), "' for its usage."));
}

// Resets every flag to its default: tests may parse several command lines.
void ResetFlags() {
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    std::string ignored;
    if (flag->IsOfType<bool>() || flag->IsOfType<std::string>() ||
        flag->IsOfType<std::vector<std::string>>()) {
      flag->ParseFrom(flag->DefaultValue(), &ignored);
    }
  }
}

// The items of each list option (--abi, --trusted-key), as they accumulate.
using ListFlags = std::map<std::string, std::vector<std::string>>;

// Applies one `--name[=value]`; `next` supplies a value given separately.
absl::Status ApplyFlag(const CommandSpec& command, std::string_view text,
                       int argc, char** argv, int* index,
                       ListFlags* lists) {
  std::string spelled(text.substr(2));
  std::optional<std::string> value;
  if (const std::size_t eq = spelled.find('='); eq != std::string::npos) {
    value = spelled.substr(eq + 1);
    spelled.resize(eq);
  }
  // Options are spelt with '-' (--allow-insecure), flags named with '_'.
  const std::string flag_name = absl::StrReplaceAll(spelled, {{"-", "_"}});
  const std::string_view name = flag_name;
  absl::CommandLineFlag* flag = Accepts(command, name)
                                    ? absl::FindCommandLineFlag(ToAbsl(name))
                                    : nullptr;
  if (flag == nullptr && !value && name.substr(0, 2) == "no" &&
      Accepts(command, name.substr(2))) {
    flag = absl::FindCommandLineFlag(ToAbsl(name.substr(2)));
    if (flag != nullptr && flag->IsOfType<bool>()) value = "false";
  }
  if (flag == nullptr) {
    return Usage(command, absl::StrCat("unknown option --", spelled));
  }
  if (!value && flag->IsOfType<bool>()) value = "true";
  if (!value) {
    if (*index + 1 >= argc) {
      return Usage(command,
                   absl::StrCat("option --", spelled, " needs a value"));
    }
    value = argv[++*index];
  }
  std::string error;
  if (!flag->ParseFrom(*value, &error)) {
    return Usage(command, absl::StrCat("option --", spelled, ": ", error));
  }
  // A repeated list option adds to what came before.
  if (flag->IsOfType<std::vector<std::string>>()) {
    for (absl::string_view item : absl::StrSplit(*value, ',', absl::SkipEmpty())) {
      (*lists)[flag_name].emplace_back(item);
    }
  }
  return absl::OkStatus();
}

std::string OptionLines(const CommandSpec& command) {
  std::string out;
  for (std::string_view name : command.flags) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(ToAbsl(name));
    if (flag == nullptr) continue;
    const std::string spelled =
        absl::StrReplaceAll(absl::StrCat("--", ToAbsl(name)), {{"_", "-"}});
    absl::StrAppend(&out, "  ", Pad(spelled, 17), flag->Help(), "\n");
  }
  absl::StrAppend(&out, "  ", Pad("--help", 17), "print this help\n");
  return out;
}

}  // namespace

absl::StatusOr<ParsedArgs> ParseArgs(const CommandSpec& command, int argc,
                                     char** argv, int first) {
  ResetFlags();
  ParsedArgs parsed;
  ListFlags lists;
  bool flags_ended = false;
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (flags_ended || arg == "-" || arg.substr(0, 1) != "-") {
      parsed.operands.emplace_back(arg);
    } else if (arg == "--") {
      flags_ended = true;
    } else if (arg == "--help" || arg == "-h") {
      parsed.help = true;
    } else if (arg.substr(0, 2) != "--") {
      return Usage(command, absl::StrCat("unknown option ", ToAbsl(arg),
                                         " (options start with --)"));
    } else if (absl::Status s = ApplyFlag(command, arg, argc, argv, &i, &lists);
               !s.ok()) {
      return s;
    }
  }
  for (const auto& [name, items] : lists) {
    std::string ignored;
    absl::FindCommandLineFlag(name)->ParseFrom(absl::StrJoin(items, ","), &ignored);
  }
  if (parsed.help) return parsed;
  const int count = static_cast<int>(parsed.operands.size());
  if (count < command.min_args) {
    return Usage(command, absl::StrCat("missing operand; usage: preload ",
                                       ToAbsl(command.synopsis)));
  }
  if (command.max_args >= 0 && count > command.max_args) {
    return Usage(command, absl::StrCat("unexpected operand '",
                                       parsed.operands[command.max_args],
                                       "'; usage: preload ",
                                       ToAbsl(command.synopsis)));
  }
  return parsed;
}

std::string CommandHelp(const CommandSpec& command) {
  return absl::StrCat("usage: preload ", ToAbsl(command.synopsis), "\n\n",
                      ToAbsl(command.description), "\n\noptions:\n",
                      OptionLines(command), "\n",
                      "exit status: 0 all compatible / found, 1 something "
                      "refused, missing or not a plugin, 2 usage or I/O "
                      "error. Details: docs/cli.md\n");
}

std::string CommandNames() {
  std::vector<std::string> names;
  for (const CommandSpec& command : Commands()) {
    names.emplace_back(command.name);
  }
  return absl::StrJoin(names, ", ");
}

std::string ToolHelp() {
  std::string out =
      "usage: preload COMMAND [OPTION]... [ARG]...\n\n"
      "Inspect and check PreloadSDK plugins without loading them.\n\n"
      "commands:\n";
  for (const CommandSpec& command : Commands()) {
    std::string line = absl::StrCat("  ", ToAbsl(command.name));
    line.resize(std::max<std::size_t>(line.size() + 1, 15), ' ');
    absl::StrAppend(&out, line, ToAbsl(command.summary), "\n");
  }
  absl::StrAppend(&out,
                  "\nRun 'preload help COMMAND' (or 'preload COMMAND --help') "
                  "for a command's options. "
                  "Every command takes --json.\n"
                  "Exit status: 0 all compatible / found, 1 something "
                  "refused, missing or not a plugin, 2 usage or I/O error.\n"
                  "Colour is used only on a terminal, never when NO_COLOR "
                  "is set.\n");
  return out;
}

}  // namespace preload::cli
