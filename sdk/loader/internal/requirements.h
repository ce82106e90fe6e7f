// Copyright the PreloadSDK authors.
//
// loader/internal/requirements.h — Loader::Open with the plugins a plugin
// requires (its fingerprint's `requires` field, <preload/requirements.h>).
//
// Opening happens in two passes, both with the loader's lock held:
//
//   plan  depth first from the plugin asked for: each requirement resolved
//         by name through the loader's search path (or found linked in, or
//         already loaded), opened and verified exactly like any plugin, its
//         version checked against the constraint, each plugin once (a
//         diamond's shared requirement is planned once). Nothing is mapped:
//         a requirement that is missing, refused or of a version that does
//         not satisfy, or a cycle, fails the open before any code runs;
//   load  the plan in post-order: every requirement mapped, initialised and
//         registered before its dependents. A failure stops there, and every
//         plugin still to load (its dependents among them) is not mapped.
//
// Every error about a requirement names the chain that led to it:
// "b → a → c → b".
#ifndef PRELOAD_LOADER_INTERNAL_REQUIREMENTS_H_
#define PRELOAD_LOADER_INTERNAL_REQUIREMENTS_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "preload/loader.h"

namespace preload::internal {

struct LoaderState;
struct PluginFile;

// What Loader::Open does: opens `spec` and, first, everything it requires.
// Called with state.mutex held.
absl::StatusOr<Plugin*> OpenWithRequirements(LoaderState& state,
                                             std::string_view spec);

// The same for a file `spec` named that OpenAndVerify(spec, to_load=true)
// has already opened and verified: its requirements, then it.
absl::StatusOr<Plugin*> OpenVerifiedWithRequirements(LoaderState& state,
                                                     std::string_view spec,
                                                     PluginFile file);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_REQUIREMENTS_H_
