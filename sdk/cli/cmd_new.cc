// Copyright the PreloadSDK authors.
//
// preload new plugin NAME [--dir DIR] [--abi NAME=VERSION] — a plugin project
// rendered from templates/new_plugin by the Python codegen, the same one that
// renders the fingerprint. From an installed tree the codegen is found next
// to the executable ($ORIGIN/../share/PreloadSDK); from the build tree, in
// the source tree the tool was built from.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "cli/internal/cli.h"
#include "cli/internal/flags.h"
#include "cli/internal/output.h"
#include "preload/plugin_name.h"
#include "preload/version.h"

extern char** environ;

namespace preload::cli {
namespace {

struct Codegen {
  std::string python_path;  // PYTHONPATH: the folder holding preload_codegen
  std::string templates;
  std::string sdk_prefix;   // the installed prefix; empty in the build tree
};

bool IsDirectory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

std::string ExecutableDir() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "";
  const std::string exe(path, static_cast<std::size_t>(n));
  return exe.substr(0, exe.rfind('/'));
}

Codegen FindCodegen() {
  const std::string bin = ExecutableDir();
  const std::string share = absl::StrCat(bin, "/", PRELOAD_CLI_SHARE_FROM_BIN);
  if (!bin.empty() && IsDirectory(share + "/codegen/preload_codegen") &&
      IsDirectory(share + "/templates/new_plugin")) {
    // "<prefix>/bin" and ".." give "<prefix>", not "<prefix>/bin/..".
    std::string up = PRELOAD_CLI_PREFIX_FROM_BIN;
    if (!up.empty() && up.back() == '/') up.pop_back();
    const std::string prefix = up == ".." ? bin.substr(0, bin.rfind('/'))
                                          : absl::StrCat(bin, "/", up);
    return {share + "/codegen", share + "/templates",
            prefix.empty() ? "/" : prefix};
  }
  return {PRELOAD_CLI_SOURCE_DIR "/codegen", PRELOAD_CLI_SOURCE_DIR "/templates",
          ""};
}

std::string Python() {
  if (::access(PRELOAD_CLI_PYTHON, X_OK) == 0) return PRELOAD_CLI_PYTHON;
  return "python3";
}

// Runs `argv` with PYTHONPATH set; its stdout is returned in `output`.
int RunPython(const std::vector<std::string>& argv,
              const std::string& python_path, std::string* output) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "PYTHONPATH=", 11) != 0) env_strings.emplace_back(*e);
  }
  env_strings.push_back("PYTHONPATH=" + python_path);
  std::vector<char*> env, args;
  for (std::string& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (std::string& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, nullptr,
                                     args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    errno = spawned;
    return -1;
  }
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    output->append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128;
}

}  // namespace

int RunNew(const std::vector<std::string>& args) {
  if (args[0] != "plugin") {
    PrintUsageError("new",
                    absl::StrCat("unknown kind '", args[0],
                                 "'; usage: preload new plugin NAME"),
                    absl::GetFlag(FLAGS_json));
    return kExitUsage;
  }
  const std::string& name = args[1];
  // The loader's own rule, checked here so that no project is written for a
  // plugin it would refuse (the codegen checks the same rule again).
  if (!IsPluginName(name)) {
    PrintUsageError("new",
                    absl::StrCat("plugin name '", internal::EscapeText(name),
                                 "': ", internal::ToAbsl(kPluginNameRule)),
                    absl::GetFlag(FLAGS_json));
    return kExitUsage;
  }
  std::string dir = absl::GetFlag(FLAGS_dir);
  if (dir.empty()) dir = name;
  const Codegen codegen = FindCodegen();
  std::vector<std::string> command = {
      Python(), "-m", "preload_codegen", "--error-prefix", "preload new",
      "new-plugin", "--name", name,
      "--dir", dir, "--templates", codegen.templates,
      "--sdk-version", PRELOAD_SDK_VERSION_STRING};
  if (!codegen.sdk_prefix.empty()) {
    command.insert(command.end(), {"--sdk-prefix", codegen.sdk_prefix});
  }
  for (const std::string& abi : absl::GetFlag(FLAGS_abi)) {
    command.insert(command.end(), {"--abi", abi});
  }
  std::string output;
  const int status = RunPython(command, codegen.python_path, &output);
  if (status < 0) {
    PrintError("new", absl::StrCat("cannot run ", command[0], ": ",
                                   std::strerror(errno),
                                   " (the project is rendered by Python 3 "
                                   "with Jinja2: apt-get install python3-jinja2)"));
    return kExitUsage;
  }
  if (status != 0) return kExitUsage;  // the codegen said why on stderr
  std::vector<std::string> files = absl::StrSplit(output, '\n', absl::SkipEmpty());
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(Json{{"command", "new"}, {"kind", "plugin"}, {"name", name},
                   {"dir", dir}, {"files", files}, {"exit_status", 0}});
    return kExitOk;
  }
  std::cout << "created plugin project " << Paint(name, Color::kBold) << " in "
            << dir << ":\n";
  for (const std::string& file : files) std::cout << "  " << file << "\n";
  std::cout << "\nbuild it:\n  cmake -S " << dir << " -B " << dir << "/build";
  if (!codegen.sdk_prefix.empty()) {
    std::cout << " -DCMAKE_PREFIX_PATH=" << codegen.sdk_prefix;
  }
  std::cout << "\n  cmake --build " << dir << "/build\n";
  return kExitOk;
}

}  // namespace preload::cli
