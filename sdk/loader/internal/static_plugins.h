// Copyright the PreloadSDK authors.
//
// loader/internal/static_plugins.h — the static plugins linked into this
// program (add_preload_plugin(<p> STATIC ...)), found through the records
// their fingerprint sources put in the executable's
// PRELOAD_STATIC_PLUGIN_SECTION (<preload/plugin_abi.h>). Reading them runs
// nothing of the plugins: the records, notes and descriptors are data.
#ifndef PRELOAD_LOADER_INTERNAL_STATIC_PLUGINS_H_
#define PRELOAD_LOADER_INTERNAL_STATIC_PLUGINS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "preload/fingerprint.h"
#include "preload/plugin_abi.h"

namespace preload::internal {

struct StaticPlugin {
  const preload_static_plugin_v1* record = nullptr;
  Fingerprint fingerprint;  // parsed from the record's payload
};

// Every static plugin linked in, in link order; read once per process.
// Records of another SDK ABI version, or whose payload is not a plugin's
// fingerprint, are left out (see StaticPluginProblems).
const std::vector<StaticPlugin>& StaticPlugins();
// One line per record left out of StaticPlugins(), for traces.
const std::vector<std::string>& StaticPluginProblems();

// The static plugin named exactly `name`, or null.
const StaticPlugin* FindStaticPlugin(std::string_view name);

// Runs a static plugin's init at most once per process, whichever Loader
// asks first; every later call returns the first call's outcome without
// running it again (the plugin cannot be unloaded and loaded afresh). Other
// threads asking meanwhile wait for it.
absl::Status RunStaticInitOnce(const StaticPlugin& plugin, preload_init_fn init);

// The running executable's path, "" if /proc/self/exe cannot be read.
const std::string& ExecutablePath();

// True when this program has no dynamic loader (linked with -static, or
// -static-pie): there is nothing to map a shared plugin with.
bool ProgramIsStaticallyLinked();

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_STATIC_PLUGINS_H_
