// The preloading tests' host, linked with PreloadSDK::autoload.
//
//   preloading_host [report|serve|crash]
//
// Prints what the environment loaded ("main: ..." lines on stdout), then:
// report exits 0; serve waits until stdin is closed, then exits 0; crash
// dereferences a null pointer in CrashHere().
#include <sys/auxv.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "preload/autoload.h"
#include "preload/loader.h"

namespace {

[[gnu::noinline]] void CrashHere() {
  static volatile int* volatile nowhere = nullptr;
  *nowhere = 1;
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "report";
  const preload::EnvironmentReport& report = preload::LoadFromEnvironment();
  std::printf("main: secure=%d at_secure=%lu loaded=%zu failures=%zu\n",
              report.settings.secure_mode ? 1 : 0, ::getauxval(AT_SECURE),
              report.loaded.size(), report.failures.size());
  for (const preload::Plugin* plugin : report.loaded) {
    std::printf("main: plugin %s %s\n", std::string(plugin->name()).c_str(),
                plugin->path().c_str());
  }
  for (const preload::LoadedPlugin& plugin : preload::LoadedPlugins()) {
    std::printf("main: registry loader=%s policy=%s %s\n", plugin.loader.c_str(),
                std::string(preload::PolicyName(plugin.policy)).c_str(),
                plugin.path.c_str());
  }
  std::fflush(stdout);
  if (std::strcmp(mode, "serve") == 0) {
    char buffer[256];
    while (::read(STDIN_FILENO, buffer, sizeof(buffer)) > 0) {
    }
  } else if (std::strcmp(mode, "crash") == 0) {
    CrashHere();
  }
  std::printf("main: exiting\n");
  return 0;
}
