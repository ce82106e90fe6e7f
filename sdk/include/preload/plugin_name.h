// Copyright the PreloadSDK authors.
//
// preload/plugin_name.h — the one rule for a plugin's name.
//
// A plugin's name is what its note records, what a bare `Loader::Open("name")`
// searches for as `<name>.so`, and the word its descriptor symbol is made
// from. The same rule is applied everywhere a name is made or read:
//
//   - add_preload_plugin (cmake/PreloadArguments.cmake,
//     `_preload_is_plugin_name`) refuses to build a plugin with another name;
//   - `preload new plugin NAME` refuses to write a project for one;
//   - the loader refuses a note whose name breaks it, before mapping anything,
//     so a note written by hand or altered is caught however it was made.
//
// The CMake regular expression, the Python codegen's and this function are
// kept equal by tests/unit/plugin_name_test.cc, which gives the same names,
// garbage included, to all three.
//
// Example:
//
//   if (!preload::IsPluginName(name)) std::cerr << preload::kPluginNameRule;
#ifndef PRELOAD_PLUGIN_NAME_H_
#define PRELOAD_PLUGIN_NAME_H_

#include <cstddef>
#include <string_view>

namespace preload {

// `<name>.so` must fit in one path component (NAME_MAX, 255 bytes).
inline constexpr std::size_t kMaxPluginNameLength = 252;

// The rule in words, for messages.
inline constexpr std::string_view kPluginNameRule =
    "a plugin name starts with an ASCII letter and holds only ASCII letters, "
    "digits, '_', '.' and '-', at most 252 of them";

// True when `name` is one add_preload_plugin could give a plugin: an ASCII
// letter, then ASCII letters, digits, '_', '.' or '-', 252 bytes at most.
// In CMake's words: ^[A-Za-z][A-Za-z0-9_.-]*$
bool IsPluginName(std::string_view name);

}  // namespace preload

#endif  // PRELOAD_PLUGIN_NAME_H_
