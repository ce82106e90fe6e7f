// Copyright the PreloadSDK authors.
#include "loader/internal/listed_plugins.h"

#include <cstddef>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "base/internal/string_view.h"
#include "loader/internal/checked_directory.h"
#include "loader/internal/loader_state.h"
#include "loader/internal/requirements.h"
#include "preload/requirements.h"

namespace preload::internal {
namespace {

struct Listed {
  std::string spec;
  // Set for a file listed by path: opened and verified, or why not.
  std::optional<absl::StatusOr<PluginFile>> verified;
  std::string name;                   // from its fingerprint; "" if unknown
  std::vector<std::string> requires;  // names
};

// The directories of the files listed, each opened and checked once for all
// of its entries. Only with the trust check on: sharing it is their use.
class Directories {
 public:
  explicit Directories(const LoaderState& state) : state_(state) {}

  // The checked directory the file `path` is an entry of; null where the
  // file is to be opened by its path (which then reports any error).
  const CheckedDirectory* Of(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    if (!state_.check_file_trust || slash == std::string_view::npos) return nullptr;
    const std::string directory(path.substr(0, slash == 0 ? 1 : slash));
    auto [it, added] = opened_.try_emplace(directory);
    if (added) it->second = Open(directory);
    return it->second ? &*it->second : nullptr;
  }

 private:
  std::optional<CheckedDirectory> Open(const std::string& path) const {
    const Tracer& trace = *state_.trace;
    absl::StatusOr<CheckedDirectory> directory = OpenCheckedDirectory(
        path, /*check_trust=*/true, trace.enabled(TraceCategory::kVerify));
    if (!directory.ok()) return std::nullopt;
    trace.Line(TraceCategory::kVerify, path, ": directory trust: ",
               directory->verdict);
    return *std::move(directory);
  }

  const LoaderState& state_;
  absl::flat_hash_map<std::string, std::optional<CheckedDirectory>> opened_;
};

// Opens and verifies a file listed by path, and notes its name and the
// names it requires.
void Verify(const LoaderState& state, Directories& directories, Listed& listed) {
  listed.verified = state.OpenAndVerify(listed.spec, /*to_load=*/true,
                                        directories.Of(listed.spec));
  if (!listed.verified->ok()) return;
  const Fingerprint& fingerprint = *(*listed.verified)->fingerprint;
  absl::StatusOr<std::vector<Requirement>> needs = RequirementsOf(fingerprint);
  if (!needs.ok()) return;  // the open reports it
  listed.name = std::string(fingerprint.name());
  for (const Requirement& requirement : *needs) {
    listed.requires.push_back(requirement.name);
  }
}

// The indices of `listed`, each after the listed plugins it requires.
class Sorter {
 public:
  explicit Sorter(const std::vector<Listed>& listed)
      : listed_(listed), state_(listed.size(), kNew) {}

  std::vector<std::size_t> Sort() {
    for (std::size_t i = 0; i < listed_.size(); ++i) Visit(i);
    return std::move(order_);
  }

 private:
  enum State { kNew, kVisiting, kDone };

  // A cycle is left to the loader, which names it.
  void Visit(std::size_t i) {
    if (state_[i] != kNew) return;
    state_[i] = kVisiting;
    for (const std::string& required : listed_[i].requires) {
      for (std::size_t j = 0; j < listed_.size(); ++j) {
        if (listed_[j].name == required) Visit(j);
      }
    }
    state_[i] = kDone;
    order_.push_back(i);
  }

  const std::vector<Listed>& listed_;
  std::vector<State> state_;
  std::vector<std::size_t> order_;
};

absl::StatusOr<Plugin*> OpenOne(LoaderState& state, Listed& listed) {
  if (!listed.verified) return OpenWithRequirements(state, listed.spec);
  if (!listed.verified->ok()) return listed.verified->status();
  return OpenVerifiedWithRequirements(state, listed.spec,
                                      **std::move(listed.verified));
}

}  // namespace

void ListedPlugins::OpenAll(Loader& loader, const std::vector<std::string>& specs,
                            Visitor visit) {
  LoaderState& state = *loader.state_;
  std::lock_guard<std::recursive_mutex> lock(state.mutex);
  std::vector<Listed> listed;
  listed.reserve(specs.size());
  {
    Directories directories(state);
    for (const std::string& spec : specs) {
      listed.push_back(Listed{spec, std::nullopt, "", {}});
      // A bare name is searched when its turn comes, as Open does.
      if (spec.find('/') != std::string::npos) Verify(state, directories, listed.back());
    }
  }
  for (std::size_t i : Sorter(listed).Sort()) {
    absl::StatusOr<Plugin*> plugin = OpenOne(state, listed[i]);
    if (!plugin.ok()) plugin = PrintableStatus(plugin.status());
    visit(listed[i].spec, plugin);
  }
}

}  // namespace preload::internal
