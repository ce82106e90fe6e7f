// Copyright the PreloadSDK authors.
//
// cli/internal/plugin_graph.h — the plugins a plugin requires, and theirs,
// found by name as the loader would find them, for `preload deps`. Nothing
// is loaded: each file's note is read, no more.
//
// Required plugins are looked for in PRELOAD_PLUGIN_PATH (what the loader
// of an autoloading host searches), then in the directory of the plugin the
// graph starts from (where plugins installed together are).
#ifndef PRELOAD_CLI_INTERNAL_PLUGIN_GRAPH_H_
#define PRELOAD_CLI_INTERNAL_PLUGIN_GRAPH_H_

#include <string>
#include <vector>

#include "cli/internal/binary_file.h"
#include "cli/internal/output.h"

namespace preload::cli {

// One requirement, resolved.
struct RequirementNode {
  std::string requirement;  // as written: "codec_core>=1.2"
  std::string name;
  // found, missing, unsatisfied (its version does not meet the constraint),
  // not_plugin (the file is not a PreloadSDK plugin of that name), cycle, or
  // malformed (its own requirements cannot be read); seen: found, and its
  // requirements shown where it first appears.
  std::string result;
  std::string path;     // the file found; empty when missing
  std::string version;  // its version, if found
  std::string detail;   // why, in words, when not found
  std::vector<RequirementNode> requires;
};

struct PluginGraph {
  std::vector<std::string> search_path;
  std::vector<RequirementNode> requires;
  std::string malformed;  // the plugin's own `requires` field, if unreadable
  int problems = 0;       // nodes neither found nor seen
};

// The graph below `file`, a PreloadSDK plugin.
PluginGraph ResolvePluginGraph(const BinaryFile& file);

// Lines, each starting with `indent`, nested by two spaces per level.
std::string PluginGraphToText(const PluginGraph& graph, const std::string& indent);
Json PluginGraphToJson(const PluginGraph& graph);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_PLUGIN_GRAPH_H_
