// app: mentions no plugin and calls nothing of the SDK's autoload part.
#include <cstdio>

#include <preload/loader.h>

int main() {
  std::printf("main: start\n");
  for (const preload::LoadedPlugin& plugin : preload::LoadedPlugins()) {
    std::printf("main: %s loaded %s\n", plugin.loader.c_str(),
                std::string(plugin.fingerprint.name()).c_str());
  }
  return 0;
}
