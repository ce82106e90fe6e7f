// Copyright the PreloadSDK authors.
//
// loader/internal/process_registry.h — every plugin of every live Loader, for
// preload::LoadedPlugins() and for the plain-C list that plugins read through
// <preload/process.h> (preload_process_plugins_v1, process_registry.cc).
//
// The list holds copies, not pointers into Loaders or Plugins: a Loader may
// go while another thread reads it. It is never destroyed, as plugins may
// read it from static destructors, and its lock is a leaf: nothing is called
// while it is held.
#ifndef PRELOAD_LOADER_INTERNAL_PROCESS_REGISTRY_H_
#define PRELOAD_LOADER_INTERNAL_PROCESS_REGISTRY_H_

#include <memory>
#include <string>

#include "preload/fingerprint.h"
#include "preload/policy.h"

namespace preload::internal {

struct LoaderState;

// What every plugin of one loader shares in the list: made once per Loader,
// not copied per plugin.
struct RegistryHost {
  std::string loader;  // the Loader's name
  Policy policy;
  Fingerprint fingerprint;
};

// Adds a plugin `loader` has loaded from `path` (a static plugin's: the
// executable it is linked into).
void RegisterPlugin(const LoaderState* loader,
                    std::shared_ptr<const RegistryHost> host, std::string path,
                    Fingerprint plugin, bool is_static);

// Removes every plugin of `loader` (which is going; its plugins stay mapped).
void UnregisterLoader(const LoaderState* loader);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_PROCESS_REGISTRY_H_
