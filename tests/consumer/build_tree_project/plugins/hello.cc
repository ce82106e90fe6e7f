#include <string>

#include <preload/plugin.h>

#include "greet.h"

std::string Greet(const std::string& name) { return Salute(name) + " (greet)"; }
PRELOAD_EXPORT(Greet);
