// Copyright the PreloadSDK authors.
#include "loader/internal/process_registry.h"

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

#include "preload/loader.h"
#include "preload/process.h"

namespace preload {
namespace {

struct RegistryEntry {
  const internal::LoaderState* loader;
  std::shared_ptr<const internal::RegistryHost> host;
  std::string path;
  Fingerprint plugin;  // shares the loaded plugin's payload, as read
  bool is_static;
};

struct Registry {
  std::mutex mutex;
  std::vector<RegistryEntry> entries;
};

Registry& ProcessRegistry() {
  static Registry* const registry = new Registry;
  return *registry;
}

}  // namespace

namespace internal {

void RegisterPlugin(const LoaderState* loader,
                    std::shared_ptr<const RegistryHost> host, std::string path,
                    Fingerprint plugin, bool is_static) {
  RegistryEntry entry{loader, std::move(host), std::move(path),
                      std::move(plugin), is_static};
  Registry& registry = ProcessRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.entries.push_back(std::move(entry));
}

void UnregisterLoader(const LoaderState* loader) {
  Registry& registry = ProcessRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto& entries = registry.entries;
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [loader](const RegistryEntry& entry) {
                                 return entry.loader == loader;
                               }),
                entries.end());
}

}  // namespace internal

std::vector<LoadedPlugin> LoadedPlugins() {
  Registry& registry = ProcessRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  std::vector<LoadedPlugin> plugins;
  plugins.reserve(registry.entries.size());
  for (const RegistryEntry& entry : registry.entries) {
    plugins.push_back(LoadedPlugin{entry.host->loader, entry.host->policy,
                                   entry.path, entry.plugin,
                                   entry.host->fingerprint, entry.is_static});
  }
  return plugins;
}

// Exported from the executable (PreloadSDK::sdk links with
// --export-dynamic-symbol=preload_process_plugins_v1) for plugins, which reach
// it through <preload/process.h>. Visits a snapshot, so no lock is held while
// plugin code runs.
extern "C" __attribute__((visibility("default"), used)) void
preload_process_plugins_v1(void* context, preload_visit_plugin_fn visit) {
  if (visit == nullptr) return;
  std::vector<RegistryEntry> snapshot;
  {
    Registry& registry = ProcessRegistry();
    std::lock_guard<std::mutex> lock(registry.mutex);
    snapshot = registry.entries;
  }
  for (const RegistryEntry& entry : snapshot) {
    const std::string policy(PolicyName(entry.host->policy));
    preload_loaded_plugin_v1 record{};
    record.size = sizeof(record);
    record.loader = entry.host->loader.c_str();
    record.policy = policy.c_str();
    record.path = entry.path.c_str();
    const std::string_view payload = entry.plugin.payload();
    const std::string_view host_payload = entry.host->fingerprint.payload();
    record.payload = payload.data();
    record.payload_size = payload.size();
    record.host_payload = host_payload.data();
    record.host_payload_size = host_payload.size();
    record.linkage = entry.is_static ? "static" : "shared";
    visit(context, &record);
  }
}

}  // namespace preload
