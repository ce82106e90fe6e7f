// Copyright the PreloadSDK authors.
#include "loader/internal/required_exports.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/internal/string_view.h"
#include "preload/required.h"

namespace preload {
namespace internal {

// Reaches Plugin's private lookup by type name (a friend of Plugin).
struct RequiredExportAccess {
  static absl::StatusOr<void*> Find(const Plugin& plugin, std::string_view name,
                                    const std::string& type) {
    return plugin.LookupAddress(name, type);
  }
};

namespace {

struct Published {
  const LoaderState* loader;
  const Plugin* plugin;
};

struct Exports {
  std::mutex mutex;
  std::vector<Published> plugins;
};

// Never destroyed: plugins may look up exports from static destructors.
Exports& ProcessExports() {
  static Exports* const exports = new Exports;
  return *exports;
}

// The address of export `name` of type `type` of the plugin `plugin`, from
// whichever loader loaded it; loaders that loaded different files of that
// name make the lookup ambiguous.
absl::StatusOr<void*> FindExport(std::string_view plugin, std::string_view name,
                                 const std::string& type) {
  Exports& exports = ProcessExports();
  std::lock_guard<std::mutex> lock(exports.mutex);
  std::vector<std::string> paths;
  std::optional<absl::StatusOr<void*>> found;
  for (const Published& published : exports.plugins) {
    if (published.plugin->name() != plugin) continue;
    absl::StatusOr<void*> address =
        RequiredExportAccess::Find(*published.plugin, name, type);
    if (found && found->ok() && address.ok() && **found != *address) {
      paths.push_back(published.plugin->path());
      continue;
    }
    if (!found || (!found->ok() && address.ok())) found = address;
    if (paths.empty()) paths.push_back(published.plugin->path());
  }
  if (!found) {
    return absl::NotFoundError(absl::StrCat(
        "no plugin named '", ToAbsl(plugin), "' is loaded in this process; "
        "name it in add_preload_plugin(... REQUIRES ", ToAbsl(plugin),
        ") so that it is loaded first"));
  }
  if (paths.size() > 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "plugin '", ToAbsl(plugin), "' is loaded from several files (",
        absl::StrJoin(paths, ", "), "): which one's '", ToAbsl(name),
        "' is meant is ambiguous"));
  }
  return *found;  // or the plugin's own error, which names it
}

}  // namespace

void PublishExports(const LoaderState* loader, const Plugin* plugin) {
  Exports& exports = ProcessExports();
  std::lock_guard<std::mutex> lock(exports.mutex);
  for (const Published& published : exports.plugins) {
    if (published.plugin == plugin) return;
  }
  exports.plugins.push_back(Published{loader, plugin});
}

void WithdrawExports(const LoaderState* loader) {
  Exports& exports = ProcessExports();
  std::lock_guard<std::mutex> lock(exports.mutex);
  auto& plugins = exports.plugins;
  plugins.erase(std::remove_if(plugins.begin(), plugins.end(),
                               [loader](const Published& published) {
                                 return published.loader == loader;
                               }),
                plugins.end());
}

}  // namespace internal

// Exported from the executable (PreloadSDK::sdk links with
// --export-dynamic-symbol=preload_find_export_v1) for plugins, which reach it
// through <preload/required.h>.
extern "C" __attribute__((visibility("default"), used)) int
preload_find_export_v1(const char* plugin, const char* name, const char* type,
                       void** address, void* context, preload_report_fn report) {
  if (plugin == nullptr || name == nullptr || type == nullptr ||
      address == nullptr) {
    return static_cast<int>(absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<void*> found = internal::FindExport(plugin, name, type);
  if (found.ok()) {
    *address = *found;
    return 0;
  }
  if (report != nullptr) {
    const std::string_view message = internal::FromAbsl(found.status().message());
    report(context, static_cast<int>(found.status().code()), message.data(),
           message.size());
  }
  return static_cast<int>(found.status().code());
}

}  // namespace preload
