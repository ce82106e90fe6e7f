// app NAME...: opens each plugin (a name, or a file's path), prints what its
// Greet says to "world" or why it was not opened, then every plugin the
// process has loaded.
#include <iostream>
#include <string>

#include <preload/loader.h>

int main(int argc, char** argv) {
  preload::Loader loader;
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    absl::StatusOr<preload::Plugin*> plugin = loader.Open(argv[i]);
    if (!plugin.ok()) {
      std::cout << argv[i] << ": error: " << plugin.status() << "\n";
      status = 1;
      continue;
    }
    auto greet = (*plugin)->Lookup<std::string(const std::string&)>("Greet");
    std::cout << argv[i] << ": "
              << (greet.ok() ? (*greet)("world") : greet.status().ToString())
              << ((*plugin)->is_static() ? " (static)" : " (shared)") << "\n";
  }
  for (const preload::LoadedPlugin& plugin : preload::LoadedPlugins()) {
    std::cout << "loaded by " << plugin.loader << ": "
              << plugin.fingerprint.name()
              << (plugin.is_static ? " static" : " shared") << "\n";
  }
  return status;
}
