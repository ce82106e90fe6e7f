// greeter: loads each plugin named on the command line and greets with it.
//
//   greeter ./eng.so ./chi.so ./eng_legacy_abi.so
//
// A plugin built differently from this program is refused before any of its
// code runs; the reason is printed and the others still greet.
#include <iostream>
#include <memory>

#include "greeter.h"
#include "preload/loader.h"

namespace {

bool GreetWith(preload::Loader& loader, const char* path) {
  absl::StatusOr<preload::Plugin*> plugin = loader.Open(path);
  if (!plugin.ok()) {
    std::cout << "refused " << plugin.status().message() << "\n";
    return false;
  }
  absl::StatusOr<greeter::Factory*> factory =
      (*plugin)->Lookup<greeter::Factory>("NewGreeter");
  if (!factory.ok()) {
    std::cout << "unusable " << path << ": " << factory.status().message() << "\n";
    return false;
  }
  std::unique_ptr<greeter::Greeter> greeter = (**factory)();
  std::cout << "loaded  " << (*plugin)->name() << " "
            << (*plugin)->fingerprint().version() << ": "
            << greeter->Greet("gopher") << "\n";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: greeter PLUGIN.so...\n";
    return 2;
  }
  preload::Loader loader;  // strict: the plugin must be built like this host
  int failures = 0;
  for (int i = 1; i < argc; ++i) failures += GreetWith(loader, argv[i]) ? 0 : 1;
  return failures == 0 ? 0 : 1;
}
