// Copyright the PreloadSDK authors.
#include "cli/internal/plugin_graph.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "preload/requirements.h"

namespace preload::cli {
namespace {

using internal::ToAbsl;

std::vector<std::string> SearchPath(const std::string& plugin_path) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PRELOAD_PLUGIN_PATH")) {
    for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      dirs.emplace_back(dir);
    }
  }
  const std::size_t slash = plugin_path.rfind('/');
  dirs.push_back(slash == std::string::npos ? "." : plugin_path.substr(0, slash));
  return dirs;
}

class Resolver {
 public:
  explicit Resolver(std::vector<std::string> search_path)
      : search_path_(std::move(search_path)) {}

  // The requirements of the plugin `fingerprint` at the end of `stack_`.
  std::vector<RequirementNode> Below(const Fingerprint& fingerprint,
                                     std::string& malformed) {
    absl::StatusOr<std::vector<Requirement>> needs = RequirementsOf(fingerprint);
    if (!needs.ok()) {
      malformed = std::string(needs.status().message());
      ++problems_;
      return {};
    }
    std::vector<RequirementNode> nodes;
    for (const Requirement& requirement : *needs) nodes.push_back(Resolve(requirement));
    return nodes;
  }

  void Push(std::string name) { stack_.push_back(std::move(name)); }
  int problems() const { return problems_; }

 private:
  RequirementNode Resolve(const Requirement& requirement) {
    RequirementNode node{requirement.ToString(), requirement.name, "", "", "", "", {}};
    if (std::find(stack_.begin(), stack_.end(), requirement.name) != stack_.end()) {
      std::vector<std::string> chain = stack_;
      chain.push_back(requirement.name);
      node.result = "cycle";
      node.detail = absl::StrCat("a cycle of requirements: ",
                                 absl::StrJoin(chain, " → "));
      ++problems_;
      return node;
    }
    std::optional<BinaryFile> file = Find(requirement.name, node);
    if (!file) {
      ++problems_;
      return node;
    }
    node.version = std::string(file->fingerprint->version());
    if (!requirement.SatisfiedBy(node.version)) {
      node.result = "unsatisfied";
      node.detail = absl::StrCat(
          node.version.empty() ? "no version" : "version " + node.version,
          " does not satisfy ", requirement.Constraint());
      ++problems_;
      return node;
    }
    if (!shown_.insert(requirement.name).second) {
      node.result = "seen";
      return node;
    }
    node.result = "found";
    stack_.push_back(requirement.name);
    std::string malformed;
    node.requires = Below(*file->fingerprint, malformed);
    stack_.pop_back();
    if (!malformed.empty()) {
      node.result = "malformed";
      node.detail = malformed;
    }
    return node;
  }

  // The first <name>.so of the search path; a file there that is not the
  // plugin `name` stops the search, as it stops the loader.
  std::optional<BinaryFile> Find(const std::string& name, RequirementNode& node) {
    for (const std::string& dir : search_path_) {
      const std::string path = absl::StrCat(dir, "/", name, ".so");
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) continue;
      node.path = path;
      BinaryFile file = ReadBinary(path);
      if (file.kind != FileKind::kPreload || file.fingerprint->kind() != "plugin" ||
          file.fingerprint->name() != name) {
        node.result = "not_plugin";
        node.detail = file.kind != FileKind::kPreload
                          ? file.message
                          : absl::StrCat("not the plugin '", name, "' but the ",
                                         ToAbsl(file.fingerprint->kind()), " '",
                                         ToAbsl(internal::EscapeText(file.fingerprint->name())),
                                         "'");
        return std::nullopt;
      }
      return file;
    }
    node.result = "missing";
    node.detail = absl::StrCat("no ", name, ".so in ", absl::StrJoin(search_path_, ":"));
    return std::nullopt;
  }

  std::vector<std::string> search_path_;
  std::vector<std::string> stack_;
  std::set<std::string> shown_;
  int problems_ = 0;
};

void AppendText(const std::vector<RequirementNode>& nodes, const std::string& indent,
                std::string& out) {
  for (const RequirementNode& node : nodes) {
    const bool good = node.result == "found" || node.result == "seen";
    absl::StrAppend(&out, indent, Paint(node.requirement, Color::kBold), "  ",
                    Paint(node.result, good ? Color::kGreen : Color::kRed));
    if (!node.version.empty()) absl::StrAppend(&out, "  ", node.version);
    if (!node.path.empty()) {
      absl::StrAppend(&out, "  ", internal::EscapeText(node.path));
    }
    if (node.result == "seen") absl::StrAppend(&out, "  (requirements shown above)");
    if (!node.detail.empty()) {
      absl::StrAppend(&out, "  (", internal::EscapeText(node.detail), ")");
    }
    absl::StrAppend(&out, "\n");
    AppendText(node.requires, indent + "  ", out);
  }
}

Json NodesToJson(const std::vector<RequirementNode>& nodes) {
  Json array = Json::array();
  for (const RequirementNode& node : nodes) {
    Json entry = {{"requirement", node.requirement},
                  {"name", node.name},
                  {"result", node.result},
                  {"path", node.path.empty() ? Json(nullptr) : Json(node.path)},
                  {"version", node.path.empty() ? Json(nullptr) : Json(node.version)}};
    if (!node.detail.empty()) entry["detail"] = node.detail;
    entry["requires"] = NodesToJson(node.requires);
    array.push_back(std::move(entry));
  }
  return array;
}

}  // namespace

PluginGraph ResolvePluginGraph(const BinaryFile& file) {
  PluginGraph graph;
  graph.search_path = SearchPath(file.path);
  Resolver resolver(graph.search_path);
  resolver.Push(std::string(file.fingerprint->name()));
  graph.requires = resolver.Below(*file.fingerprint, graph.malformed);
  graph.problems = resolver.problems();
  return graph;
}

std::string PluginGraphToText(const PluginGraph& graph, const std::string& indent) {
  std::string out;
  if (!graph.malformed.empty()) {
    absl::StrAppend(&out, indent, Paint(internal::EscapeText(graph.malformed), Color::kRed),
                    "\n");
  }
  if (graph.requires.empty()) return out;
  absl::StrAppend(&out, indent, "requires (searched in ",
                  internal::EscapeText(absl::StrJoin(graph.search_path, ":")), "):\n");
  AppendText(graph.requires, indent + "  ", out);
  return out;
}

Json PluginGraphToJson(const PluginGraph& graph) {
  Json json = {{"search_path", graph.search_path},
               {"requires", NodesToJson(graph.requires)}};
  if (!graph.malformed.empty()) json["malformed"] = graph.malformed;
  return json;
}

}  // namespace preload::cli
