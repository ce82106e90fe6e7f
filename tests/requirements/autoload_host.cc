// The requirements tests' host, linked with PreloadSDK::autoload: prints
// what PRELOAD_PLUGINS loaded, in the order the loader registered it (the
// order of the inits), one "main: loaded <name> depth <n>" line each.
#include <cstdio>
#include <string>

#include "preload/autoload.h"
#include "preload/loader.h"

int main() {
  const preload::EnvironmentReport& report = preload::LoadFromEnvironment();
  std::printf("main: failures=%zu\n", report.failures.size());
  for (const preload::Plugin* plugin : preload::EnvironmentLoader().plugins()) {
    absl::StatusOr<int (*)()> depth = plugin->Lookup<int()>("Depth");
    std::printf("main: loaded %s depth %d\n", std::string(plugin->name()).c_str(),
                depth.ok() ? (**depth)() : -1);
  }
  return 0;
}
