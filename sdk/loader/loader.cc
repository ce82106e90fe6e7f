// Copyright the PreloadSDK authors.
//
// preload::Loader: the API over internal::LoaderState (loader/internal/),
// which holds the state and the steps of opening a plugin.
#include "preload/loader.h"

#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "loader/internal/loader_state.h"
#include "loader/internal/process_registry.h"
#include "loader/internal/required_exports.h"
#include "loader/internal/requirements.h"
#include "loader/internal/search_path.h"

namespace preload {


std::vector<std::string> DefaultPluginDirectories() {
  std::vector<std::string> dirs;
  for (internal::SearchDirectory& dir : internal::MakeSearchPath({}, true)) {
    dirs.push_back(std::move(dir.path));
  }
  return dirs;
}

Loader::Loader(LoaderOptions options)
    : state_(std::make_unique<internal::LoaderState>(std::move(options))) {}

// Plugins stay mapped; only their entries in the process's lists go.
Loader::~Loader() {
  internal::UnregisterLoader(state_.get());
  internal::WithdrawExports(state_.get());
}

absl::StatusOr<std::string> Loader::Resolve(std::string_view name_or_path) const {
  absl::StatusOr<std::string> path = state_->Resolve(name_or_path);
  if (!path.ok()) return internal::PrintableStatus(path.status());
  return path;
}

absl::StatusOr<Fingerprint> Loader::Verify(std::string_view path) const {
  if (const internal::StaticPlugin* linked = state_->FindStatic(path)) {
    return state_->VerifyStatic(*linked);
  }
  absl::StatusOr<internal::PluginFile> file =
      state_->OpenAndVerify(path, /*to_load=*/false);
  if (!file.ok()) return internal::PrintableStatus(file.status());
  return *std::move(file->fingerprint);
}

namespace {

// Open's steps with the loader's lock held: the plugin and, first, what it
// requires (loader/internal/requirements.cc).
absl::StatusOr<Plugin*> OpenLocked(internal::LoaderState& state,
                                   std::string_view path) {
  std::lock_guard<std::recursive_mutex> lock(state.mutex);
  return internal::OpenWithRequirements(state, path);
}

}  // namespace

absl::StatusOr<Plugin*> Loader::Open(std::string_view path) {
  absl::StatusOr<Plugin*> plugin = OpenLocked(*state_, path);
  if (!plugin.ok()) return internal::PrintableStatus(plugin.status());
  return plugin;
}


std::vector<const Plugin*> Loader::plugins() const {
  std::lock_guard<std::recursive_mutex> lock(state_->mutex);
  std::vector<const Plugin*> result;
  result.reserve(state_->plugins.size());
  for (const auto& plugin : state_->plugins) result.push_back(plugin.get());
  return result;
}

const Fingerprint& Loader::host_fingerprint() const { return state_->host; }

bool Loader::host_is_sdk_fallback() const {
  return state_->host_source == internal::LoaderState::HostSource::kSdk;
}

Policy Loader::policy() const { return state_->policy; }

const std::string& Loader::name() const { return state_->name; }

}  // namespace preload
