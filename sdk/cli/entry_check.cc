// Copyright the PreloadSDK authors.
//
// PluginChecker's quick way for a scan: a plugin file of a scanned directory
// read once, the way the safe floor reads it (openat on the directory's
// descriptor, fstat, one pread of the first page, close), and that one
// descriptor, fstat and page handed to the loader (a FetchedFile, as a batched
// scan hands them), which verifies the plugin and reads its dynamic section
// for the dependency check. Where the check ordinarily opened the file twice
// (its own reader, then the loader) and read its headers three times, this is
// one open. Only the common outcome is made here: a plugin the loader
// accepts. Anything else is left to PluginChecker::Check, which reads the
// file again and words the result as it always has.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/internal/batch_reader.h"
#include "base/internal/unique_fd.h"
#include "cli/internal/plugin_check.h"
#include "loader/internal/loader_state.h"
#include "loader/internal/plugin_file.h"

namespace preload::cli {

PluginChecker::~PluginChecker() = default;

const internal::LoaderState& PluginChecker::ScanState() {
  if (scan_state_ == nullptr) {
    scan_state_ =
        std::make_unique<internal::LoaderState>(CheckerOptions(host_, policy_));
  }
  return *scan_state_;
}

// The loader refuses a descriptor among the last kReservedDescriptors below
// the limit (plugin_file.cc); a scan asks the limit once, not per file.
bool PluginChecker::BelowDescriptorReserve(int fd) {
  if (!descriptor_limit_) {
    struct rlimit limit {};
    descriptor_limit_ = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
                                limit.rlim_cur != RLIM_INFINITY
                            ? static_cast<std::uint64_t>(limit.rlim_cur)
                            : 0;
  }
  return *descriptor_limit_ == 0 ||
         static_cast<std::uint64_t>(fd) + internal::kReservedDescriptors <
             *descriptor_limit_;
}

absl::StatusOr<internal::CheckedDirectory> PluginChecker::OpenScanDirectory(
    std::string_view dir) {
  return internal::OpenCheckedDirectory(dir, ScanState().check_file_trust,
                                        /*describe=*/false);
}

std::optional<PluginCheck> PluginChecker::CheckAccepted(
    const std::string& path, std::string_view name,
    const internal::CheckedDirectory& directory) {
  const internal::LoaderState& state = ScanState();
  // The loader opens an entry of an untrusted directory by its path, and
  // names the file by prefix + name: the quick way is the same file only then.
  if (extras_ != Extras::kNone || (state.check_file_trust && !directory.trusted) ||
      !internal::IsEntryName(name) ||
      path.size() != directory.prefix.size() + name.size() ||
      path.compare(0, directory.prefix.size(), directory.prefix) != 0) {
    return std::nullopt;
  }
  // `name` ends `path`: NUL-terminated. A symbolic link fails (O_NOFOLLOW).
  internal::FetchedFile fetched;
  fetched.fd = internal::UniqueFd(
      ::openat(directory.fd.get(), path.c_str() + directory.prefix.size(),
               internal::kPluginOpenFlags | O_NOFOLLOW));
  struct stat info {};
  if (!fetched.fd.valid() || !BelowDescriptorReserve(fetched.fd.get()) ||
      ::fstat(fetched.fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return std::nullopt;
  }
  char page[internal::kBatchPageBytes];
  const ssize_t got = ::pread(fetched.fd.get(), page, sizeof page, 0);
  const auto whole = static_cast<ssize_t>(
      std::min<std::uint64_t>(static_cast<std::uint64_t>(info.st_size), sizeof page));
  if (got != whole) return std::nullopt;
  fetched.info = info;
  fetched.first_bytes = std::string_view(page, static_cast<std::size_t>(got));
  // to_load: the loader reads the dynamic section too, through the reader
  // that read the start-up code's part of it already. Nothing is mapped: an
  // entry of a checked directory is opened as Verify opens it.
  absl::StatusOr<internal::PluginFile> file =
      state.OpenAndVerify(path, /*to_load=*/true, &directory, &fetched);
  if (!file.ok() || !file->fingerprint || file->fingerprint->kind() != "plugin" ||
      !file->dynamic || !file->dynamic->ok()) {
    return std::nullopt;
  }
  PluginCheck check;
  check.file.path = path;
  check.file.kind = FileKind::kPreload;
  check.file.elf = true;
  check.file.fingerprint = *std::move(file->fingerprint);
  check.file.dynamic = *std::move(file->dynamic);
  CheckDependencies(&check, path);
  if (check.result.empty()) check.result = "compatible";
  return check;
}

}  // namespace preload::cli
