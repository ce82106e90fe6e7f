// One source, built as three static plugins and one shared one. What it does
// not export has internal linkage: static plugins share their host's symbols.
#include <cstdio>
#include <string>

#include <preload/plugin.h>

#ifndef GREETING
#define GREETING "Hello"
#endif

namespace {

std::string Greet(const std::string& name) {
  return std::string(GREETING) + ", " + name + "!";
}

}  // namespace

PRELOAD_EXPORT(Greet);

PRELOAD_PLUGIN_INIT() {
  std::printf("init: %s\n", GREETING);
  std::fflush(stdout);
  return absl::OkStatus();
}
