// Copyright the PreloadSDK authors.
#include "preload/autoload.h"

#include <sys/auxv.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/internal/string_view.h"
#include "elf/internal/library_search.h"
#include "loader/internal/listed_plugins.h"
#include "loader/internal/trace.h"

namespace preload {
namespace {

using internal::FromAbsl;
using internal::ToAbsl;
using internal::WriteStderrLine;

// secure_getenv, and only it: NULL for every variable in secure-execution
// mode, as glibc does for LD_PRELOAD.
std::string_view Variable(const char* name) {
  const char* value = ::secure_getenv(name);
  return value == nullptr ? std::string_view() : std::string_view(value);
}

std::vector<std::string> SplitList(std::string_view value, const char* separators) {
  std::vector<std::string> items;
  for (absl::string_view item :
       absl::StrSplit(ToAbsl(value), absl::ByAnyChar(separators), absl::SkipWhitespace())) {
    items.emplace_back(absl::StripAsciiWhitespace(item));
  }
  return items;
}

// "1"/"true"/"yes"/"on" or "0"/"false"/"no"/"off"/"" (any case); anything
// else is reported, in the words docs/preloading.md uses, and read as
// `otherwise`, the safe side of the switch.
bool ReadSwitch(const char* name, bool otherwise, EnvironmentSettings& settings) {
  const std::string value = absl::AsciiStrToLower(ToAbsl(Variable(name)));
  if (value.empty() || value == "0" || value == "false" || value == "no" ||
      value == "off") {
    return false;
  }
  if (value == "1" || value == "true" || value == "yes" || value == "on") return true;
  settings.warnings.push_back(absl::StrCat(
      name, ": '", value, "' is neither 1 nor 0 (on: 1, true, yes, on; off: "
      "0, false, no, off or empty); read as ", otherwise ? "1" : "0"));
  return otherwise;
}

void ReadPolicy(EnvironmentSettings& settings) {
  const std::string_view value = Variable("PRELOAD_POLICY");
  if (value.empty()) return;
  absl::StatusOr<Policy> policy = ParsePolicy(value);
  if (policy.ok()) {
    settings.policy = *policy;
    return;
  }
  settings.warnings.push_back(absl::StrCat(
      "PRELOAD_POLICY: unknown policy '", ToAbsl(value),
      "' (strict or compatible); using strict"));
}

constexpr char kDebugCategories[] =
    "the categories are search (each candidate file of a bare name), "
    "verify (file trust, the host's fingerprint, every field compared), "
    "load (mapping, init, registration) and all";

void ReadDebug(EnvironmentSettings& settings) {
  for (const std::string& category : SplitList(Variable("PRELOAD_DEBUG"), ",: ")) {
    const std::string name = absl::AsciiStrToLower(category);
    TraceOptions& trace = settings.trace;
    if (name == "search") {
      trace.search = true;
    } else if (name == "verify") {
      trace.verify = true;
    } else if (name == "load") {
      trace.load = true;
    } else if (name == "all") {
      trace.search = trace.verify = trace.load = true;
    } else if (name == "help") {
      settings.debug_help = true;
    } else {
      settings.warnings.push_back(absl::StrCat(
          "PRELOAD_DEBUG: unknown category '", name, "'; ", kDebugCategories));
    }
  }
}

// PRELOAD_DEBUG=help, as LD_DEBUG=help: the categories on standard output,
// then the program exits, successfully, before main.
[[noreturn]] void PrintDebugHelp() {
  std::fputs(
      "Valid options for the PRELOAD_DEBUG environment variable are:\n\n"
      "  search   each candidate file of a bare name, taken or skipped and why\n"
      "  verify   file trust, what the host's fingerprint is, every field\n"
      "           compared, the verdict\n"
      "  load     mapping the verified file, the init, the registration\n"
      "  all      all of the above\n"
      "  help     this text; the program exits\n\n"
      "Separate categories with ',' (PRELOAD_DEBUG=search,verify). The lines\n"
      "go to standard error. See docs/preloading.md.\n",
      stdout);
  std::fflush(stdout);
  std::_Exit(0);
}

std::string OneLine(std::string_view message) {
  std::string line;
  for (absl::string_view part : absl::StrSplit(ToAbsl(message), '\n')) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) continue;
    const char* separator =
        line.empty() ? "" : (line.back() == ':' ? " " : "; ");
    absl::StrAppend(&line, separator, part);
  }
  return line;
}

const EnvironmentSettings& CachedSettings() {
  static const EnvironmentSettings* const settings =
      new EnvironmentSettings(ReadEnvironment());
  return *settings;
}

struct AutoloadState {
  std::recursive_mutex mutex;
  bool started = false;
  EnvironmentReport report;
};

AutoloadState& State() {
  static AutoloadState* const state = new AutoloadState;
  return *state;
}

void ReportFailure(const std::string& spec, const absl::Status& status,
                   const EnvironmentSettings& settings) {
  const bool tracing = settings.trace.search || settings.trace.verify ||
                       settings.trace.load;
  WriteStderrLine(absl::StrCat(
      "preload: cannot load plugin '", spec, "': ", OneLine(FromAbsl(status.message())),
      settings.fail_fast ? "" : "; the program goes on without it",
      tracing ? "" : " (PRELOAD_DEBUG=all shows every step)"));
  if (settings.fail_fast) {
    WriteStderrLine(absl::StrCat("preload: PRELOAD_STRICT=1: stopping the "
                                 "program with exit status ", kFailFastExitCode));
    std::exit(kFailFastExitCode);
  }
}

void LoadAll(EnvironmentReport& report) {
  const EnvironmentSettings& settings = report.settings;
  if (settings.debug_help) PrintDebugHelp();
  for (const std::string& warning : settings.warnings) {
    WriteStderrLine(absl::StrCat("preload: warning: ", warning));
  }
  if (settings.plugins.empty()) return;
  if (settings.allow_insecure) {
    WriteStderrLine("preload: warning: PRELOAD_ALLOW_INSECURE=1: plugin files "
                    "are loaded without checking who may write them");
  }
  if (settings.trace.search) {
    WriteStderrLine(absl::StrCat(
        "preload: search: PRELOAD_PLUGINS: ", absl::StrJoin(settings.plugins, ", "),
        "; PRELOAD_PLUGIN_PATH: ",
        settings.search_path.empty() ? "(none)"
                                     : absl::StrJoin(settings.search_path, ":")));
  }
  // Each listed file read and verified once; listed plugins loaded after
  // the listed plugins they require, wherever listed.
  internal::ListedPlugins::OpenAll(
      EnvironmentLoader(), settings.plugins,
      [&](const std::string& spec, const absl::StatusOr<Plugin*>& plugin) {
        if (!plugin.ok()) {
          report.failures.push_back(plugin.status());
          ReportFailure(spec, plugin.status(), settings);
          return;
        }
        bool listed = false;
        for (const Plugin* loaded : report.loaded) listed = listed || loaded == *plugin;
        if (!listed) report.loaded.push_back(*plugin);
      });
}

}  // namespace

EnvironmentSettings ReadEnvironment() {
  EnvironmentSettings settings;
  settings.secure_mode = ::getauxval(AT_SECURE) != 0;
  if (settings.secure_mode) return settings;  // secure_getenv says nothing anyway
  settings.plugins = SplitList(Variable("PRELOAD_PLUGINS"), ":");
  settings.search_path = SplitList(Variable("PRELOAD_PLUGIN_PATH"), ":");
  if (std::string_view paths = Variable("LD_LIBRARY_PATH"); !paths.empty()) {
    settings.ld_library_path = internal::SplitLibraryPath(paths);
  }
  ReadPolicy(settings);
  settings.fail_fast = ReadSwitch("PRELOAD_STRICT", true, settings);
  settings.allow_insecure = ReadSwitch("PRELOAD_ALLOW_INSECURE", false, settings);
  settings.sealed_copy = ReadSwitch("PRELOAD_SEALED_COPY", true, settings);
  ReadDebug(settings);
  return settings;
}

LoaderOptions LoaderOptionsFor(const EnvironmentSettings& settings) {
  LoaderOptions options;
  options.name = "autoload";
  options.policy = settings.policy;
  options.search_path = settings.search_path;
  options.check_file_trust = !settings.allow_insecure;
  options.sealed_copy = settings.sealed_copy;
  options.library_path = settings.ld_library_path;
  options.trace = settings.trace;
  return options;
}

Loader& EnvironmentLoader() {
  static Loader* const loader = new Loader(LoaderOptionsFor(CachedSettings()));
  return *loader;
}

const EnvironmentReport& LoadFromEnvironment() {
  AutoloadState& state = State();
  std::lock_guard<std::recursive_mutex> lock(state.mutex);
  if (state.started) return state.report;  // done, or re-entered from an init
  state.started = true;
  state.report.settings = CachedSettings();
  LoadAll(state.report);
  return state.report;
}

}  // namespace preload
