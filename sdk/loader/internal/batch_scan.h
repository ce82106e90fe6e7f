// Copyright the PreloadSDK authors.
//
// loader/internal/batch_scan.h — Loader::VerifyDirectory's reads in batches:
// the plugin files of a checked directory opened, fstat'ed and their first
// page read through io_uring (base/internal/batch_reader.h), many per
// submission, then each verified by the ordinary steps on what was fetched
// (LoaderState::OpenAndVerify), so each verdict is the one a file-by-file
// scan gives. Falls back to file by file where io_uring cannot be used,
// where the directory failed its trust check, and when the process runs
// short of descriptors.
#ifndef PRELOAD_LOADER_INTERNAL_BATCH_SCAN_H_
#define PRELOAD_LOADER_INTERNAL_BATCH_SCAN_H_

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/internal/batch_reader.h"
#include "loader/internal/checked_directory.h"
#include "loader/internal/loader_state.h"
#include "preload/fingerprint.h"

namespace preload::internal {

using EntryVisitor =
    absl::FunctionRef<void(std::string_view name, absl::StatusOr<Fingerprint> result)>;

// Fewer plugin files than this in a directory and setting up a ring costs
// more than it saves: they are read one at a time.
inline constexpr std::size_t kMinBatchedFiles = 8;

// Calls visit(name, verdict) for every plugin file of `directory` (named
// `path` in errors), in readdir's order, with the verdict
// PluginDirectory::Verify(name) gives, read as `loader.directory_reads`
// says. Errors are ForEachPluginFile's.
[[nodiscard]] absl::Status VerifyEntries(const LoaderState& loader,
                                         const CheckedDirectory& directory,
                                         std::string_view path,
                                         EntryVisitor visit);

// The same for the entries `names` of `directory`, in their order.
void VerifyNames(const LoaderState& loader, const CheckedDirectory& directory,
                 const std::vector<std::string>& names, EntryVisitor visit);

// The batch reader's options for a Loader's `reads`.
BatchOptions BatchOptionsFor(const DirectoryReads& reads);

// What PluginDirectory::Prefetch verified and Verify has not taken yet.
struct PrefetchedVerdicts {
  std::mutex mutex;
  absl::flat_hash_map<std::string, absl::StatusOr<Fingerprint>> by_name;
};

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_BATCH_SCAN_H_
