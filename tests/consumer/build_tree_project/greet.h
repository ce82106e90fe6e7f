#pragma once
#include <string>

// The project's own shared library, linked by its plugin.
std::string Salute(const std::string& name);
