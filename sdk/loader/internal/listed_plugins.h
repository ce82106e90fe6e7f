// Copyright the PreloadSDK authors.
//
// loader/internal/listed_plugins.h — opening the plugins a list names
// (PRELOAD_PLUGINS), each file read and verified once.
//
// The loader finds a requirement by name: among the plugins it has loaded,
// then in its search path. A plugin listed by path in a directory the search
// path does not name is found only if it was loaded before the plugins that
// require it, so each listed plugin is loaded after the listed plugins it
// requires, wherever in the list they are. To know what a file requires it
// must be read; so every file listed by path is opened and verified first,
// nothing mapped, and the files are then loaded in that order from the very
// descriptors that were verified (Load's change check still runs before
// each is mapped). Files of one directory share one trust check of the
// directory and of those above it, as a scan of the directory does
// (checked_directory.h).
#ifndef PRELOAD_LOADER_INTERNAL_LISTED_PLUGINS_H_
#define PRELOAD_LOADER_INTERNAL_LISTED_PLUGINS_H_

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "preload/loader.h"

namespace preload::internal {

struct ListedPlugins {
  using Visitor = absl::FunctionRef<void(const std::string& spec,
                                         const absl::StatusOr<Plugin*>& plugin)>;
  // Opens every item of `specs` into `loader`, with what Loader::Open(item)
  // would return, and calls visit(item, result) for each as it is loaded:
  // a file listed by path after the listed files it requires, otherwise in
  // the list's order. A bare name is searched and opened when its turn
  // comes, as Open does. A cycle is left to Open to report.
  static void OpenAll(Loader& loader, const std::vector<std::string>& specs,
                      Visitor visit);
};

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_LISTED_PLUGINS_H_
