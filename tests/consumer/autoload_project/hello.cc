#include <cstdio>

#include <preload/plugin.h>

// Says it ran, so the test sees it happen before main.
PRELOAD_PLUGIN_INIT() {
  std::printf("hello: init\n");
  std::fflush(stdout);
  return absl::OkStatus();
}
