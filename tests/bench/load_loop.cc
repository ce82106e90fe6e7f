// Copyright the PreloadSDK authors.
//
// bench_load_loop DIR COUNT [dlopen|loaders] — loads DIR/0.so ...
// DIR/<COUNT-1>.so, copies of one plugin (each its own inode, so none is
// already loaded), each with a Loader of its own (they all carry the same
// plugin name), or with a plain dlopen; `loaders` only makes the Loaders,
// so that what their making costs can be told apart from the loads. For callgrind and strace (scripts/bench): the difference
// between two counts, divided by the difference of the counts, is what one
// load costs without the process's start-up.
#include <dlfcn.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "preload/loader.h"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: bench_load_loop DIR COUNT [dlopen|loaders]\n";
    return 2;
  }
  const std::string dir = argv[1];
  const long count = std::strtol(argv[2], nullptr, 10);
  const std::string mode = argc == 4 ? argv[3] : "";
  const bool plain = mode == "dlopen";
  const bool only_loaders = mode == "loaders";
  std::vector<std::unique_ptr<preload::Loader>> loaders;
  for (long i = 0; i < count; ++i) {
    const std::string file = dir + "/" + std::to_string(i) + ".so";
    if (plain) {
      if (::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr) {
        std::cerr << ::dlerror() << "\n";
        return 1;
      }
      continue;
    }
    preload::LoaderOptions options;
    options.default_search_path = false;
    loaders.push_back(std::make_unique<preload::Loader>(std::move(options)));
    if (only_loaders) continue;
    absl::StatusOr<preload::Plugin*> plugin = loaders.back()->Open(file);
    if (!plugin.ok()) {
      std::cerr << plugin.status() << "\n";
      return 1;
    }
  }
  return 0;
}
