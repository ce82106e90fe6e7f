#include "greet.h"

std::string Salute(const std::string& name) { return "Hello, " + name + "!"; }
