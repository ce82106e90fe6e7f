// Copyright the PreloadSDK authors.
//
// preload/process.h — what a plugin can learn about the plugins of the process
// it was loaded into.
//
// A plugin links only PreloadSDK::headers, not the loader, so it cannot call
// preload::LoadedPlugins() directly. The loader in the host exports one plain-C
// function from the executable, `preload_process_plugins_v1` (PreloadSDK::sdk
// adds the linker option that exports it); this header finds it at run time
// and copies what it reports:
//
//   #include <preload/process.h>
//
//   absl::StatusOr<std::vector<preload::ProcessPlugin>> plugins =
//       preload::ProcessPlugins();
//   if (plugins.ok()) {
//     for (const preload::ProcessPlugin& p : *plugins)
//       std::cout << p.Field("name") << " " << p.path << "\n";
//   }
//
// Everything here is inline: a plugin needs nothing else to use it. The list
// covers every preload::Loader alive in the process, the one that
// PreloadSDK::autoload drives before main ("autoload") included.
#ifndef PRELOAD_PROCESS_H_
#define PRELOAD_PROCESS_H_

#include <dlfcn.h>
#include <stddef.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One loaded plugin. Strings are NUL-terminated and valid only during the
 * visit; payloads are fingerprint payloads (docs/fingerprint.md). Later
 * versions may append members: `size` is sizeof this struct as the host knew
 * it. */
typedef struct preload_loaded_plugin_v1 {
  size_t size;
  const char* loader; /* LoaderOptions::name */
  const char* policy; /* "strict" or "compatible" */
  const char* path;   /* the plugin's file, symlinks resolved */
  const char* payload;
  size_t payload_size;
  const char* host_payload; /* what the plugin was compared with */
  size_t host_payload_size;
  /* Appended: "shared" (mapped from its own file) or "static" (linked into
   * the executable; `path` is the executable's). */
  const char* linkage;
} preload_loaded_plugin_v1;

typedef void (*preload_visit_plugin_fn)(void* context,
                                        const preload_loaded_plugin_v1* plugin);
/* Calls `visit` once per loaded plugin, in load order, from a snapshot: no
 * lock is held during the calls. */
typedef void (*preload_process_plugins_fn)(void* context,
                                           preload_visit_plugin_fn visit);

#define PRELOAD_PROCESS_PLUGINS_SYMBOL "preload_process_plugins_v1"

#ifdef __cplusplus
}  /* extern "C" */
#endif

namespace preload {

// A loaded plugin, copied out of the host's loader.
struct ProcessPlugin {
  std::string loader;
  std::string policy;
  std::string path;
  // "shared", or "static" for a plugin linked into the executable. A host
  // built before static plugins existed reports none: "shared".
  std::string linkage = "shared";
  // The fingerprint fields in payload order (the magic line left out).
  std::vector<std::pair<std::string, std::string>> fingerprint;
  std::vector<std::pair<std::string, std::string>> host_fingerprint;

  // The value of fingerprint field `key`, or "".
  std::string Field(std::string_view key) const {
    for (const auto& [field, value] : fingerprint) {
      if (field == key) return value;
    }
    return "";
  }
};

namespace process_internal {

// The payload was validated by the loader; this only splits it.
inline std::vector<std::pair<std::string, std::string>> SplitPayload(
    const char* data, size_t size) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::string_view rest(data, size);
  bool magic = true;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!line.empty() && line.back() == '\0') line.remove_suffix(1);
    if (magic || line.empty()) {
      magic = false;
      continue;
    }
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    fields.emplace_back(std::string(line.substr(0, equals)),
                        std::string(line.substr(equals + 1)));
  }
  return fields;
}

inline void Collect(void* context, const preload_loaded_plugin_v1* plugin) {
  auto* out = static_cast<std::vector<ProcessPlugin>*>(context);
  ProcessPlugin copy;
  copy.loader = plugin->loader;
  copy.policy = plugin->policy;
  copy.path = plugin->path;
  if (plugin->size >= offsetof(preload_loaded_plugin_v1, linkage) +
                          sizeof(plugin->linkage) &&
      plugin->linkage != nullptr) {
    copy.linkage = plugin->linkage;
  }
  copy.fingerprint = SplitPayload(plugin->payload, plugin->payload_size);
  copy.host_fingerprint =
      SplitPayload(plugin->host_payload, plugin->host_payload_size);
  out->push_back(std::move(copy));
}

}  // namespace process_internal

// Every plugin loaded by a live preload::Loader of this process, in load
// order. Unavailable when the executable does not export the list (a host not
// linked with PreloadSDK::sdk, or linked with a linker that ignored
// --export-dynamic-symbol).
[[nodiscard]] inline absl::StatusOr<std::vector<ProcessPlugin>> ProcessPlugins() {
  void* symbol = ::dlsym(RTLD_DEFAULT, PRELOAD_PROCESS_PLUGINS_SYMBOL);
  if (symbol == nullptr) {
    return absl::UnavailableError(
        "this executable does not export " PRELOAD_PROCESS_PLUGINS_SYMBOL
        ": it was not linked with PreloadSDK::sdk");
  }
  std::vector<ProcessPlugin> plugins;
  reinterpret_cast<preload_process_plugins_fn>(symbol)(
      &plugins, &process_internal::Collect);
  return plugins;
}

}  // namespace preload

#endif  // PRELOAD_PROCESS_H_
