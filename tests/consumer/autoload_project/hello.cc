#include <cstdio>

#include <preload/plugin.h>
#include <preload/process.h>

// Says it ran, and what the process's loader reports about it.
PRELOAD_PLUGIN_INIT() {
  std::printf("hello: init\n");
  std::fflush(stdout);
  return absl::OkStatus();
}
