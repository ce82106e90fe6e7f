// Copyright the PreloadSDK authors.
//
// loader/internal/required_exports.h — the exports of every plugin of every
// live Loader, by plugin name, for plugins that look up a required plugin's
// exports (<preload/required.h>, through the plain-C function
// preload_find_export_v1 the executable exports; required_exports.cc).
//
// Holds Plugin pointers, not copies: a Loader withdraws its plugins before
// it destroys them. The lock is a leaf: nothing but a lookup in a Plugin's
// own (immutable) table runs while it is held.
#ifndef PRELOAD_LOADER_INTERNAL_REQUIRED_EXPORTS_H_
#define PRELOAD_LOADER_INTERNAL_REQUIRED_EXPORTS_H_

#include "preload/loader.h"

namespace preload::internal {

struct LoaderState;

// Makes the exports of `plugin`, loaded by `loader`, visible to other
// plugins. Publishing a plugin twice is harmless.
void PublishExports(const LoaderState* loader, const Plugin* plugin);

// Withdraws every plugin of `loader` (which is going).
void WithdrawExports(const LoaderState* loader);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_REQUIRED_EXPORTS_H_
