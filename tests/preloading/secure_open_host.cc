// A host that opens a plugin itself, with a default Loader (no autoload):
// the plugin its one argument names. Prints "open: ok <name>" and exits 0,
// or "open: <status>" and exits 1. preloading_test.py's secure_trust check
// runs a set-group-ID copy of it as an unprivileged user, whose files the
// loader must then not trust.
#include <cstdio>
#include <string>

#include "preload/loader.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PLUGIN\n", argv[0]);
    return 2;
  }
  preload::Loader loader;
  absl::StatusOr<preload::Plugin*> plugin = loader.Open(argv[1]);
  if (!plugin.ok()) {
    std::printf("open: %s\n", plugin.status().ToString().c_str());
    return 1;
  }
  std::printf("open: ok %s\n", std::string((*plugin)->name()).c_str());
  return 0;
}
