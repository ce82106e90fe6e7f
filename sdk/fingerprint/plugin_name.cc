// Copyright the PreloadSDK authors.
#include "preload/plugin_name.h"

namespace preload {
namespace {

// Spelled out rather than <cctype>'s, whose answers depend on the locale.
bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool IsNameByte(char c) {
  return IsAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

}  // namespace

bool IsPluginName(std::string_view name) {
  if (name.empty() || name.size() > kMaxPluginNameLength) return false;
  if (!IsAsciiLetter(name.front())) return false;
  for (char c : name) {
    if (!IsNameByte(c)) return false;
  }
  return true;
}

}  // namespace preload
