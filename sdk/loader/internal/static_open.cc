// Copyright the PreloadSDK authors.
//
// Open and Verify for a plugin linked into the program (add_preload_plugin(
// <p> STATIC ...)): found by its name before any file is searched, its
// fingerprint compared with the host's exactly as a file's is, and only then
// its init run (once per process) and its exports registered. There is
// nothing to map: what is refused stays linked in, but none of its entries is
// ever used.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "loader/internal/init_once.h"
#include "loader/internal/loader_state.h"
#include "preload/cpu.h"

namespace preload::internal {
namespace {

// How errors and traces name a static plugin: it has no file of its own.
std::string Label(const StaticPlugin& plugin) {
  return absl::StrCat("static plugin '", ToAbsl(plugin.fingerprint.name()),
                      "' (linked into ",
                      ExecutablePath().empty() ? "this program" : ExecutablePath(),
                      ")");
}

}  // namespace

const StaticPlugin* LoaderState::FindStatic(std::string_view spec) const {
  if (!IsBareName(spec)) return nullptr;
  if (trace->enabled(TraceCategory::kSearch)) {
    for (const std::string& problem : StaticPluginProblems()) {
      trace->Line(TraceCategory::kSearch, problem);
    }
  }
  const StaticPlugin* plugin = FindStaticPlugin(spec);
  if (plugin != nullptr) {
    trace->Line(TraceCategory::kSearch, "'", ToAbsl(spec), "': ", Label(*plugin),
                ": taken; no file is searched");
  } else if (!StaticPlugins().empty()) {
    trace->Line(TraceCategory::kSearch, "'", ToAbsl(spec),
                "': no static plugin of that name is linked in; searching files");
  }
  return plugin;
}

absl::StatusOr<Fingerprint> LoaderState::VerifyStatic(
    const StaticPlugin& plugin) const {
  const std::string label = Label(plugin);
  if (absl::Status verdict = VerifyFingerprint(plugin.fingerprint, label);
      !verdict.ok()) {
    return verdict;
  }
  // Its code is in the executable, but it may have been compiled for more
  // than this CPU has: then none of it may be called.
  if (absl::Status cpu = CheckCpu(plugin.fingerprint, label); !cpu.ok()) {
    trace->Line(TraceCategory::kVerify, label, ": not accepted: ", FirstLine(cpu));
    return cpu;
  }
  return plugin.fingerprint;
}

absl::StatusOr<Plugin*> LoaderState::OpenStatic(const StaticPlugin& plugin) {
  const std::string name(plugin.fingerprint.name());
  if (auto it = by_name.find(name); it != by_name.end()) {
    if (it->second->is_static()) return it->second;
    return absl::AlreadyExistsError(absl::StrCat(
        name, ": plugin already loaded: a plugin named '", name,
        "' was loaded from ", it->second->path(), ", so ", Label(plugin),
        " was not"));
  }
  absl::StatusOr<Fingerprint> verified = VerifyStatic(plugin);
  if (!verified.ok()) return verified.status();
  const std::string label = Label(plugin);
  absl::StatusOr<PluginEntries> entries =
      ReadDescriptorEntries(*plugin.record->descriptor, label);
  if (!entries.ok()) return entries.status();
  if (entries->init != nullptr) {
    // Its init opening it again would wait for itself in call_once.
    const InitIdentity identity{{0, 0}, plugin.record};
    if (absl::Status cycle = CheckNoInitCycle(identity, label); !cycle.ok()) {
      trace->Line(TraceCategory::kLoad, FirstLine(cycle));
      return cycle;
    }
    InitInProgress running(identity, label);
    trace->Line(TraceCategory::kLoad, label,
                ": running PRELOAD_PLUGIN_INIT (once per process)");
    if (absl::Status init = RunStaticInitOnce(plugin, entries->init); !init.ok()) {
      absl::Status status = absl::FailedPreconditionError(absl::StrCat(
          label, ": PRELOAD_PLUGIN_INIT failed, so the plugin was not "
          "registered (a static plugin's init runs once per process: this is "
          "its first outcome): ", init.ToString()));
      trace->Line(TraceCategory::kLoad, FirstLine(status));
      return status;
    }
  }
  return Register(*std::move(verified), ExecutablePath(), *entries,
                  /*is_static=*/true);
}

}  // namespace preload::internal
