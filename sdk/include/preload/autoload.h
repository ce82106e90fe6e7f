// Copyright the PreloadSDK authors.
//
// preload/autoload.h — load the plugins the environment names, like
// LD_PRELOAD, each verified exactly as Loader::Open verifies it.
//
// Link `PreloadSDK::autoload` into an executable and, before main, it loads
// every plugin of PRELOAD_PLUGINS. Or call it yourself, at the moment you
// choose:
//
//   int main() {
//     const preload::EnvironmentReport& report = preload::LoadFromEnvironment();
//     for (preload::Plugin* p : report.loaded) std::cout << p->name() << "\n";
//   }
//
// The variables (docs/preloading.md), read with secure_getenv only, so that
// every one of them is ignored in secure-execution mode (setuid, setgid, file
// capabilities):
//
//   PRELOAD_PLUGINS         names or paths, ':'-separated, loaded in order
//   PRELOAD_PLUGIN_PATH     directories searched for bare names, ':'-separated
//   PRELOAD_POLICY          strict (default) or compatible
//   PRELOAD_STRICT=1        fail fast: any failure ends the program (exit 127)
//   PRELOAD_DEBUG           search,verify,load or all (help lists them)
//   PRELOAD_ALLOW_INSECURE=1  do not check who may write the plugin files
//
// By default a plugin that fails is reported in one line on stderr and the
// program goes on without it.
#ifndef PRELOAD_AUTOLOAD_H_
#define PRELOAD_AUTOLOAD_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "preload/loader.h"
#include "preload/policy.h"

namespace preload {

// The exit status of a program stopped by PRELOAD_STRICT=1, as the dynamic
// loader's when a library is missing.
inline constexpr int kFailFastExitCode = 127;

// What the PRELOAD_* variables say, read once per process.
struct EnvironmentSettings {
  // Secure-execution mode (AT_SECURE): every variable was ignored, and every
  // field below keeps its default.
  bool secure_mode = false;
  std::vector<std::string> plugins;      // PRELOAD_PLUGINS, empty items dropped
  std::vector<std::string> search_path;  // PRELOAD_PLUGIN_PATH
  Policy policy = Policy::kStrict;       // PRELOAD_POLICY
  bool fail_fast = false;                // PRELOAD_STRICT
  bool allow_insecure = false;           // PRELOAD_ALLOW_INSECURE
  bool sealed_copy = false;              // PRELOAD_SEALED_COPY
  // LD_LIBRARY_PATH, split as the dynamic linker splits it: which of a
  // plugin's $ORIGIN dependencies the dynamic linker finds by itself
  // (LoaderOptions::library_path).
  std::vector<std::string> ld_library_path;
  TraceOptions trace;                    // PRELOAD_DEBUG
  // PRELOAD_DEBUG=help: the categories are printed and the program exits
  // (status 0) before loading anything, as with LD_DEBUG=help.
  bool debug_help = false;
  // One line per value that could not be understood, e.g. "PRELOAD_POLICY:
  // unknown policy 'lax' (strict or compatible); using strict". A value of a
  // safety switch that is not understood resolves to the safe side.
  std::vector<std::string> warnings;
};

// The PRELOAD_* variables as they are now (not cached).
EnvironmentSettings ReadEnvironment();

// The LoaderOptions these settings give: name "autoload", the policy, the
// search path (then the default directories), file trust unless
// allow_insecure, sealed copies if sealed_copy, LD_LIBRARY_PATH, the trace.
LoaderOptions LoaderOptionsFor(const EnvironmentSettings& settings);

// What LoadFromEnvironment did.
struct EnvironmentReport {
  EnvironmentSettings settings;
  // The plugins loaded, in PRELOAD_PLUGINS order; a plugin named twice (or
  // reached by two names) appears once.
  std::vector<Plugin*> loaded;
  // One per plugin that failed, naming it and why.
  std::vector<absl::Status> failures;
};

// Loads every plugin of PRELOAD_PLUGINS into EnvironmentLoader(). Runs once per
// process; later calls return the first call's report. Each failure and each
// warning is written to stderr in one line ("preload: ..."). With
// PRELOAD_STRICT=1, the first failure ends the process with kFailFastExitCode.
// Thread-safe; a plugin's init may call it (it then gets the report so far).
const EnvironmentReport& LoadFromEnvironment();

// The process's environment loader (LoaderOptions::name "autoload"), made on
// first use with LoaderOptionsFor(ReadEnvironment()) and never destroyed.
Loader& EnvironmentLoader();

}  // namespace preload

#endif  // PRELOAD_AUTOLOAD_H_
