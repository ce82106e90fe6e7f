// Copyright the PreloadSDK authors.
//
// Loader::Open with requirements: plan (open and verify everything, map
// nothing), then load in dependency order. See requirements.h.
#include "loader/internal/requirements.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "loader/internal/loader_state.h"
#include "loader/internal/required_exports.h"
#include "preload/requirements.h"

namespace preload::internal {

// Sets what Plugin::requirements() returns (a friend of Plugin).
struct RequirementLinks {
  static void Set(Plugin& plugin, std::vector<const Plugin*> required) {
    plugin.requirements_ = std::move(required);
  }
};

namespace {

std::string Chain(const std::vector<std::string>& names) {
  return absl::StrJoin(names, " → ");
}

// A plugin of the plan: found, opened and verified, not yet mapped.
struct Planned {
  std::vector<std::string> chain;  // from the plugin asked for to this one
  std::optional<PluginFile> file;  // a file to map, or
  const StaticPlugin* linked = nullptr;  // a plugin linked into the program
  std::vector<std::string> requires;     // the names it requires
};

class Planner {
 public:
  explicit Planner(LoaderState& state) : state_(state) {}

  absl::StatusOr<Plugin*> Open(std::string_view spec);
  absl::StatusOr<Plugin*> OpenFile(std::string_view spec, PluginFile file);

 private:
  absl::Status PlanRequirements(const Fingerprint& fingerprint, Planned node);
  absl::Status Visit(const Requirement& requirement);
  absl::StatusOr<Planned> OpenRequirement(const Requirement& requirement,
                                          const std::vector<std::string>& chain,
                                          std::optional<Fingerprint>& fingerprint);
  absl::Status CheckVersion(const Requirement& requirement,
                            const Fingerprint& found, std::string_view where,
                            const std::vector<std::string>& chain) const;
  absl::StatusOr<Plugin*> LoadPlan();
  absl::StatusOr<Plugin*> LoadOne(Planned& node);
  void Link(Plugin* plugin, const Planned& node);

  LoaderState& state_;
  std::vector<std::string> stack_;  // names of the plugins being planned
  std::vector<Planned> order_;      // requirements before their dependents
  absl::flat_hash_map<std::string, Fingerprint> planned_;
};

// The plugin asked for: the checks and words of an Open without
// requirements, then its requirements.
absl::StatusOr<Plugin*> Planner::Open(std::string_view spec) {
  if (const StaticPlugin* linked = state_.FindStatic(spec)) {
    absl::StatusOr<std::vector<Requirement>> needs =
        RequirementsOf(linked->fingerprint);
    const bool loaded = state_.by_name.contains(ToAbsl(linked->fingerprint.name()));
    if (loaded || (needs.ok() && needs->empty())) return state_.OpenStatic(*linked);
    absl::StatusOr<Fingerprint> verified = state_.VerifyStatic(*linked);
    if (!verified.ok()) return verified.status();
    Planned node;
    node.linked = linked;
    node.chain = {std::string(verified->name())};
    if (absl::Status planned = PlanRequirements(*verified, std::move(node));
        !planned.ok()) {
      return planned;
    }
    return LoadPlan();
  }
  absl::StatusOr<PluginFile> file = state_.OpenAndVerify(spec, /*to_load=*/true);
  if (!file.ok()) return file.status();
  return OpenFile(spec, *std::move(file));
}

// The plugin asked for, opened and verified: unless it is loaded already,
// its requirements, then it.
absl::StatusOr<Plugin*> Planner::OpenFile(std::string_view spec, PluginFile file) {
  if (auto it = state_.by_file.find(file.id); it != state_.by_file.end()) {
    state_.trace->Line(TraceCategory::kLoad, file.path,
                       ": already loaded as plugin '", ToAbsl(it->second->name()),
                       "' (the same file, by device and inode): not loaded again");
    return it->second;
  }
  const std::string name(file.fingerprint->name());
  if (auto it = state_.by_name.find(name); it != state_.by_name.end()) {
    state_.trace->Line(TraceCategory::kLoad, file.path,
                       ": not loaded: a plugin named '", name,
                       "' is already loaded from ", it->second->path());
    return absl::AlreadyExistsError(absl::StrCat(
        ToAbsl(spec), ": plugin already loaded: a plugin named '", name,
        "' was loaded from ", it->second->path()));
  }
  const Fingerprint fingerprint = *file.fingerprint;
  Planned node;
  node.chain = {name};
  node.file = std::move(file);
  if (absl::Status planned = PlanRequirements(fingerprint, std::move(node));
      !planned.ok()) {
    return planned;
  }
  return LoadPlan();
}

// Plans everything `node` requires, depth first, then `node` itself.
absl::Status Planner::PlanRequirements(const Fingerprint& fingerprint,
                                       Planned node) {
  absl::StatusOr<std::vector<Requirement>> needs = RequirementsOf(fingerprint);
  if (!needs.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Chain(node.chain), ": ", needs.status().message(),
        "; rebuild the plugin with add_preload_plugin(... REQUIRES ...)"));
  }
  const std::string name(fingerprint.name());
  stack_.push_back(name);
  for (const Requirement& requirement : *needs) {
    if (absl::Status visited = Visit(requirement); !visited.ok()) return visited;
    node.requires.push_back(requirement.name);
  }
  stack_.pop_back();
  planned_.emplace(name, fingerprint);
  order_.push_back(std::move(node));
  return absl::OkStatus();
}

// One requirement of the plugin on top of stack_.
absl::Status Planner::Visit(const Requirement& requirement) {
  std::vector<std::string> chain = stack_;
  chain.push_back(requirement.name);
  const std::string& dependent = stack_.back();
  if (std::find(stack_.begin(), stack_.end(), requirement.name) != stack_.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        Chain(chain), ": a cycle of requirements: plugin '", dependent,
        "' requires '", requirement.name, "', which leads back to '",
        dependent, "'; none of them was loaded. Remove one requirement of "
        "the cycle (add_preload_plugin REQUIRES)"));
  }
  if (auto it = planned_.find(requirement.name); it != planned_.end()) {
    return CheckVersion(requirement, it->second, "the one already planned", chain);
  }
  if (auto it = state_.by_name.find(requirement.name); it != state_.by_name.end()) {
    state_.trace->Line(TraceCategory::kLoad, "requirement ", Chain(chain),
                       ": already loaded from ", it->second->path());
    return CheckVersion(requirement, it->second->fingerprint(),
                        it->second->path(), chain);
  }
  state_.trace->Line(TraceCategory::kLoad, "requirement ", Chain(chain), " (",
                     requirement.ToString(), "): opening it before '",
                     dependent, "'");
  std::optional<Fingerprint> fingerprint;
  absl::StatusOr<Planned> node = OpenRequirement(requirement, chain, fingerprint);
  if (!node.ok()) return node.status();
  return PlanRequirements(*fingerprint, *std::move(node));
}

// Finds, opens and verifies a requirement as Open would, and checks that it
// is the plugin named and of a version that satisfies.
absl::StatusOr<Planned> Planner::OpenRequirement(
    const Requirement& requirement, const std::vector<std::string>& chain,
    std::optional<Fingerprint>& fingerprint) {
  const std::string& dependent = stack_.back();
  Planned node;
  node.chain = chain;
  std::string where;
  absl::Status status;
  if (const StaticPlugin* linked = state_.FindStatic(requirement.name)) {
    absl::StatusOr<Fingerprint> verified = state_.VerifyStatic(*linked);
    status = verified.status();
    if (verified.ok()) fingerprint = *std::move(verified);
    node.linked = linked;
    where = "the static plugin linked into this program";
  } else {
    absl::StatusOr<PluginFile> file =
        state_.OpenAndVerify(requirement.name, /*to_load=*/true);
    status = file.status();
    if (file.ok()) {
      fingerprint = *file->fingerprint;
      where = file->path;
      node.file = *std::move(file);
    }
  }
  if (!status.ok()) {
    const bool missing = status.code() == absl::StatusCode::kNotFound &&
                         node.linked == nullptr && !node.file;
    return absl::Status(
        status.code(),
        absl::StrCat(Chain(chain), ": plugin '", dependent, "' requires '",
                     requirement.name, "', which ",
                     missing ? "was not found" : "was refused",
                     ", so none of them was loaded: ", status.message()));
  }
  if (fingerprint->name() != requirement.name) {
    return absl::FailedPreconditionError(absl::StrCat(
        Chain(chain), ": plugin '", dependent, "' requires '", requirement.name,
        "', but ", where, " is the plugin '",
        ToAbsl(EscapeText(fingerprint->name())),
        "'; a plugin's file must be named after it (<name>.so)"));
  }
  if (absl::Status version = CheckVersion(requirement, *fingerprint, where, chain);
      !version.ok()) {
    return version;
  }
  return node;
}

absl::Status Planner::CheckVersion(const Requirement& requirement,
                                   const Fingerprint& found,
                                   std::string_view where,
                                   const std::vector<std::string>& chain) const {
  if (requirement.SatisfiedBy(found.version())) return absl::OkStatus();
  const std::string& dependent = chain[chain.size() - 2];
  const std::string version =
      found.version().empty() ? "no version"
                              : absl::StrCat("version ", ToAbsl(EscapeText(found.version())));
  return absl::FailedPreconditionError(absl::StrCat(
      Chain(chain), ": plugin '", dependent, "' requires ",
      requirement.ToString(), ", but ", ToAbsl(where), " has ", version,
      ", which does not satisfy ", requirement.Constraint(),
      "; none of them was loaded. Install a version of '", requirement.name,
      "' that does, or rebuild '", dependent, "' with a REQUIRES it meets"));
}

// Maps, initialises and registers the plan, requirements first. The plugin
// asked for is the last.
absl::StatusOr<Plugin*> Planner::LoadPlan() {
  Plugin* plugin = nullptr;
  for (std::size_t i = 0; i < order_.size(); ++i) {
    Planned& node = order_[i];
    absl::StatusOr<Plugin*> loaded = LoadOne(node);
    if (!loaded.ok()) {
      if (i + 1 == order_.size()) return loaded.status();
      const std::string& dependent = node.chain[node.chain.size() - 2];
      return absl::Status(
          loaded.status().code(),
          absl::StrCat(Chain(node.chain), ": plugin '", node.chain.back(),
                       "', required by '", dependent,
                       "', failed to load, so '", dependent,
                       "' and the plugins that require it were not loaded: ",
                       loaded.status().message()));
    }
    Link(*loaded, node);
    PublishExports(&state_, *loaded);
    plugin = *loaded;
  }
  return plugin;
}

absl::StatusOr<Plugin*> Planner::LoadOne(Planned& node) {
  if (node.linked != nullptr) return state_.OpenStatic(*node.linked);
  // An init earlier in the plan may have opened this very plugin.
  PluginFile& file = *node.file;
  if (auto it = state_.by_file.find(file.id); it != state_.by_file.end()) {
    return it->second;
  }
  if (auto it = state_.by_name.find(node.chain.back()); it != state_.by_name.end()) {
    return absl::AlreadyExistsError(absl::StrCat(
        file.path, ": plugin already loaded: a plugin named '", node.chain.back(),
        "' was loaded from ", it->second->path()));
  }
  return state_.Load(std::move(file));
}

// Gives a plugin loaded by this plan its requirements, and the process's
// list of exports (required_exports.h) the plugin's.
void Planner::Link(Plugin* plugin, const Planned& node) {
  if (!plugin->requirements().empty() || node.requires.empty()) return;
  std::vector<const Plugin*> required;
  for (const std::string& name : node.requires) {
    if (auto it = state_.by_name.find(name); it != state_.by_name.end()) {
      required.push_back(it->second);
    }
  }
  RequirementLinks::Set(*plugin, std::move(required));
}

}  // namespace

absl::StatusOr<Plugin*> OpenWithRequirements(LoaderState& state,
                                             std::string_view spec) {
  return Planner(state).Open(spec);
}

absl::StatusOr<Plugin*> OpenVerifiedWithRequirements(LoaderState& state,
                                                     std::string_view spec,
                                                     PluginFile file) {
  return Planner(state).OpenFile(spec, std::move(file));
}

}  // namespace preload::internal
