// Copyright the PreloadSDK authors.
//
// Reads a mapped plugin's descriptor (see <preload/plugin_abi.h>) and runs its
// init. Only ever called on a plugin whose fingerprint was accepted.
#ifndef PRELOAD_LOADER_INTERNAL_PLUGIN_ENTRIES_H_
#define PRELOAD_LOADER_INTERNAL_PLUGIN_ENTRIES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "preload/plugin_abi.h"

namespace preload::internal {

struct ExportEntry {
  std::string name;
  // Called only once the plugin's init has succeeded: it makes strings that
  // live as long as the plugin, which would leak if a failed init unloaded it.
  const char* (*type_name)() = nullptr;
  void* address = nullptr;
};

// The export's type spelling, from the plugin.
std::string TypeOf(const ExportEntry& entry);

struct PluginEntries {
  std::vector<ExportEntry> exports;
  preload_init_fn init = nullptr;  // null: the plugin has no init
};

// Finds the descriptor symbol `symbol` on `handle` (never through global
// lookup) and reads its entries. Errors name `file` and say what is wrong:
// no descriptor, another SDK ABI version, a malformed or duplicated entry.
[[nodiscard]] absl::StatusOr<PluginEntries> ReadPluginEntries(
    void* handle, std::string_view symbol, std::string_view file);

// Reads the entries of a descriptor already found: a static plugin's, which
// its record points at. The same checks and errors as ReadPluginEntries.
[[nodiscard]] absl::StatusOr<PluginEntries> ReadDescriptorEntries(
    const preload_descriptor_v1& descriptor, std::string_view file);

// Runs an init trampoline and returns the status it reported.
absl::Status RunPluginInit(preload_init_fn init);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_PLUGIN_ENTRIES_H_
