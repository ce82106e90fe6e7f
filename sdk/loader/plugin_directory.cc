// Copyright the PreloadSDK authors.
//
// preload::PluginDirectory, and the Loader's ways of verifying a directory's
// plugins: the directory's trust checked once, each entry opened relative
// to its descriptor.
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <utility>

#include "base/internal/string_view.h"
#include "loader/internal/batch_scan.h"
#include "loader/internal/checked_directory.h"
#include "loader/internal/loader_state.h"
#include "preload/loader.h"

namespace preload {

using internal::ToAbsl;
using internal::TraceCategory;

PluginDirectory::PluginDirectory(
    const internal::LoaderState& loader,
    std::unique_ptr<internal::CheckedDirectory> directory)
    : loader_(&loader),
      directory_(std::move(directory)),
      prefetched_(std::make_unique<internal::PrefetchedVerdicts>()) {}
PluginDirectory::PluginDirectory(PluginDirectory&&) noexcept = default;
PluginDirectory& PluginDirectory::operator=(PluginDirectory&&) noexcept = default;
PluginDirectory::~PluginDirectory() = default;

const std::string& PluginDirectory::path() const { return directory_->path; }

void PluginDirectory::Prefetch(const std::vector<std::string>& names) const {
  if (prefetched_ == nullptr) return;
  absl::flat_hash_map<std::string, absl::StatusOr<Fingerprint>> verified;
  std::vector<std::string> entries;
  for (const std::string& name : names) {
    if (internal::IsEntryName(name)) entries.push_back(name);
  }
  internal::VerifyNames(*loader_, *directory_, entries,
                        [&](std::string_view name, absl::StatusOr<Fingerprint> result) {
                          verified.insert_or_assign(std::string(name), std::move(result));
                        });
  std::lock_guard<std::mutex> lock(prefetched_->mutex);
  prefetched_->by_name = std::move(verified);
}

absl::StatusOr<Fingerprint> PluginDirectory::Verify(std::string_view name) const {
  if (prefetched_ != nullptr) {
    std::lock_guard<std::mutex> lock(prefetched_->mutex);
    if (auto kept = prefetched_->by_name.find(ToAbsl(name));
        kept != prefetched_->by_name.end()) {
      absl::StatusOr<Fingerprint> result = std::move(kept->second);
      prefetched_->by_name.erase(kept);
      return result;
    }
  }
  absl::StatusOr<internal::PluginFile> file = loader_->OpenAndVerify(
      internal::EntryPath(*directory_, name), /*to_load=*/false, directory_.get());
  if (!file.ok()) return internal::PrintableStatus(file.status());
  return *std::move(file->fingerprint);
}

absl::StatusOr<PluginDirectory> Loader::OpenDirectory(std::string_view dir) const {
  const internal::Tracer& trace = *state_->trace;
  const bool check_trust = state_->check_file_trust;
  absl::StatusOr<internal::CheckedDirectory> directory =
      internal::OpenCheckedDirectory(dir, check_trust,
                                     trace.enabled(TraceCategory::kVerify));
  if (!directory.ok()) {
    trace.Line(TraceCategory::kVerify, internal::FirstLine(directory.status()));
    return internal::PrintableStatus(directory.status());
  }
  trace.Line(TraceCategory::kVerify, ToAbsl(dir), ": directory trust: ",
             check_trust ? directory->verdict
                         : "not checked (turned off for this loader)");
  return PluginDirectory(
      *state_, std::make_unique<internal::CheckedDirectory>(*std::move(directory)));
}

absl::Status Loader::VerifyDirectory(std::string_view dir,
                                     const DirectoryVisitor& visit) const {
  absl::StatusOr<PluginDirectory> directory = OpenDirectory(dir);
  if (!directory.ok()) return directory.status();
  return internal::VerifyEntries(
      *state_, *directory->directory_, dir,
      [&](std::string_view name, absl::StatusOr<Fingerprint> result) {
        visit(name, std::move(result));
      });
}

}  // namespace preload
