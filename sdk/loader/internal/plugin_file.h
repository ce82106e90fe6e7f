// Copyright the PreloadSDK authors.
//
// loader/internal/plugin_file.h — a plugin file open for verification, and
// the checks made on that one descriptor: a regular file, its fingerprint
// note, its export descriptor's name, unchanged since it was read.
#ifndef PRELOAD_LOADER_INTERNAL_PLUGIN_FILE_H_
#define PRELOAD_LOADER_INTERNAL_PLUGIN_FILE_H_

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/internal/unique_fd.h"
#include "elf/internal/elf_file.h"
#include "loader/internal/file_trust.h"
#include "policy/internal/host_model.h"
#include "preload/elf_dynamic.h"
#include "preload/fingerprint.h"

namespace preload::internal {

struct PluginFile {
  UniqueFd fd;  // the plugin file, or its sealed copy
  // Symlinks resolved; as given only by Verify with the trust check off,
  // which has no use for the real path.
  std::string path;
  std::pair<uint64_t, uint64_t> id;        // device, inode
  std::optional<Fingerprint> fingerprint;  // set once read and verified
  struct stat verified {};  // the file as it was when its note was read
  bool sealed = false;      // `fd` is a sealed copy: nothing can change it
  // For a file opened to be loaded: its dynamic section, read with the note
  // from the same first page, for the $ORIGIN dependencies; an error is
  // reported when they are mapped, as if read then.
  std::optional<absl::StatusOr<ElfDynamic>> dynamic;
  uint64_t size = 0;        // of what `fd` holds

  // Takes the regular file just opened, `verified` being its fstat.
  void Take(UniqueFd opened);
};

// Without waiting for a FIFO's writer (O_NONBLOCK).
inline constexpr int kPluginOpenFlags =
    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

// The trust check that fits how a file was opened (CheckFileTrust for a
// path, CheckEntryTrust for an entry of a checked directory); `describe`
// asks for the one-line description the trace shows.
using TrustCheck = absl::FunctionRef<absl::StatusOr<TrustedFile>(bool describe)>;

// "<path>: cannot open: <strerror>", coded by errno.
absl::Status OpenError(std::string_view path, int error);

// Descriptors the loader leaves to the host: a file it would open as one of
// the last kReservedDescriptors below RLIMIT_NOFILE is refused.
inline constexpr int kReservedDescriptors = 16;

// `fd` (named `path`) if it is a regular file, `info` being its fstat;
// InvalidArgument otherwise. ResourceExhausted, `fd` closed, when `fd` is one
// of the last kReservedDescriptors below the limit: open(2) returns the
// lowest free number, so every number below it is taken and fewer than
// kReservedDescriptors are left.
absl::StatusOr<UniqueFd> RegularFile(UniqueFd fd, std::string_view path,
                                     struct stat& info);
// RegularFile's last step, `info` being the fstat the caller already has
// (a batched scan's; the caller also kept clear of the last descriptors).
absl::StatusOr<UniqueFd> RegularFileAs(UniqueFd fd, std::string_view path,
                                       const struct stat& info);
// Opens `path` with kPluginOpenFlags and checks it as RegularFile does.
absl::StatusOr<UniqueFd> OpenRegularFile(const std::string& path, struct stat& info);

// Aborted when the file open on `fd` has been written to since `then` was
// taken: "<path>: <what> (...), <consequence>; ..." with what to do.
absl::Status CheckStillAs(int fd, const struct stat& then,
                          const std::string& path, std::string_view what,
                          std::string_view consequence);

// The plugin's fingerprint from its one PreloadSDK note, parsed by
// `host`'s quick parse (policy/internal/host_model.h). Reads `elf`'s header
// first. InvalidArgument naming the file for a file with no note, two notes,
// a corrupt note, or the note of a host rather than a plugin.
absl::StatusOr<Fingerprint> ReadPluginFingerprint(ElfFile& elf,
                                                  const HostModel& host);

// The export descriptor symbol the fingerprint names, checked to be one of
// the SDK's own names, so that a crafted note cannot make the loader look up
// an arbitrary symbol.
absl::StatusOr<std::string> DescriptorSymbol(const Fingerprint& fingerprint,
                                             std::string_view path);
// The same check, without a copy of the name.
absl::Status CheckDescriptorSymbol(const Fingerprint& fingerprint,
                                   std::string_view path);

// `status` with every control byte of its message but a newline escaped
// (base/internal/escape.h): what the loader's API returns, as its messages
// quote paths and note values.
absl::Status PrintableStatus(const absl::Status& status);

// The first line of a status message, for one-line traces.
std::string FirstLine(const absl::Status& status);

}  // namespace preload::internal

#endif  // PRELOAD_LOADER_INTERNAL_PLUGIN_FILE_H_
