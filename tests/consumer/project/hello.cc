#include <string>

#include <preload/plugin.h>

std::string Greet(const std::string& name) { return "Hello, " + name + "!"; }
PRELOAD_EXPORT(Greet);

PRELOAD_PLUGIN_INIT() { return absl::OkStatus(); }
