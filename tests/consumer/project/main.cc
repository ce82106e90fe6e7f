// app PLUGIN NAME: loads PLUGIN and prints what its Greet says to NAME.
#include <iostream>
#include <string>

#include <preload/loader.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: app PLUGIN NAME\n";
    return 2;
  }
  preload::Loader loader;
  absl::StatusOr<preload::Plugin*> p = loader.Open(argv[1]);
  if (!p.ok()) {
    std::cerr << p.status() << "\n";
    return 1;
  }
  absl::StatusOr<std::string (*)(const std::string&)> greet =
      (*p)->Lookup<std::string(const std::string&)>("Greet");
  if (!greet.ok()) {
    std::cerr << greet.status() << "\n";
    return 1;
  }
  std::cout << (*greet)(argv[2]) << "\n";
  return 0;
}
