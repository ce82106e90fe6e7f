// Copyright the PreloadSDK authors.
#include "loader/internal/plugin_file.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/internal/errno_status.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "elf/internal/plugin_page.h"
#include "preload/elf_notes.h"
#include "preload/plugin_abi.h"
#include "preload/plugin_name.h"

namespace preload::internal {
namespace {

bool SameTime(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// Why `name` is no plugin name, showing at most its first 64 bytes, escaped.
std::string NameProblem(std::string_view name) {
  if (name.empty()) return "is empty";
  constexpr std::size_t kShown = 64;
  return absl::StrCat(
      "'", EscapeText(name.substr(0, kShown)), name.size() > kShown ? "..." : "",
      "' (", name.size(), " bytes) is not one add_preload_plugin could give");
}

}  // namespace

void PluginFile::Take(UniqueFd opened) {
  fd = std::move(opened);
  id = {static_cast<uint64_t>(verified.st_dev),
        static_cast<uint64_t>(verified.st_ino)};
  size = static_cast<uint64_t>(verified.st_size);
}

absl::Status OpenError(std::string_view path, int error) {
  return ErrnoStatus(error, absl::StrCat(ToAbsl(path), ": cannot open"));
}

// Refuses anything but a regular file open on `fd` (named `path`).
absl::StatusOr<UniqueFd> RegularFile(UniqueFd fd, std::string_view path,
                                     struct stat& info) {
  // A loaded plugin keeps its descriptor: the host's last ones stay its own.
  if (struct rlimit limit {}; ::getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur != RLIM_INFINITY &&
      static_cast<rlim_t>(fd.get()) + kReservedDescriptors >= limit.rlim_cur) {
    return DescriptorsExhausted(
        absl::StrCat(ToAbsl(path), ": not opened"),
        absl::StrCat("fewer than ", kReservedDescriptors,
                     " of this process's file descriptors would be left, and "
                     "the loader leaves the last ones to the program"));
  }
  if (::fstat(fd.get(), &info) != 0) return OpenError(path, errno);
  return RegularFileAs(std::move(fd), path, info);
}

absl::StatusOr<UniqueFd> RegularFileAs(UniqueFd fd, std::string_view path,
                                       const struct stat& info) {
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(path), ": not a regular file; a plugin is a .so file"));
  }
  return fd;
}

absl::StatusOr<UniqueFd> OpenRegularFile(const std::string& path,
                                         struct stat& info) {
  UniqueFd fd(::open(path.c_str(), kPluginOpenFlags));
  if (!fd.valid()) return OpenError(path, errno);
  return RegularFile(std::move(fd), path, info);
}

absl::Status PrintableStatus(const absl::Status& status) {
  if (status.ok()) return status;
  absl::Status printable(status.code(), EscapeKeepingLines(FromAbsl(status.message())));
  // Payloads say what kind of refusal it is (provenance.h): keep them.
  status.ForEachPayload([&printable](absl::string_view type, const absl::Cord& value) {
    printable.SetPayload(type, value);
  });
  return printable;
}

// The first line of a status message, for one-line traces.
std::string FirstLine(const absl::Status& status) {
  const std::string message(status.message());
  return message.substr(0, message.find('\n'));
}

absl::StatusOr<Fingerprint> ReadPluginFingerprint(ElfFile& elf,
                                                  const HostModel& host) {
  const std::string_view path = elf.file();
  if (absl::Status header = elf.ReadHeader(); !header.ok()) return header;
  NoteDescs notes;
  // An ordinary plugin's note in one pass over its first page; anything
  // else through the general reader, which words every error.
  if (ReadPluginPage(elf, kNoteOwner, kNoteType)) {
    notes.count = 1;
    notes.first = elf.page()->note;
  } else if (absl::Status found =
                 FindNoteDescsAfterHeader(elf, kNoteOwner, kNoteType, &notes);
             !found.ok()) {
    return found;
  }
  if (notes.count == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(path), ": not a PreloadSDK plugin: it carries no PreloadSDK "
        "fingerprint note; build it with add_preload_plugin"));
  }
  if (notes.count > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(path), ": carries ", notes.count,
        " fingerprint notes where a plugin has one; was a host or another "
        "plugin linked into it?"));
  }
  absl::StatusOr<Fingerprint> fingerprint = host.Parse(notes.first);
  if (!fingerprint.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(path), ": corrupt fingerprint note: ",
                     fingerprint.status().message()));
  }
  if (fingerprint->kind() != "plugin") {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(path), ": is a PreloadSDK ", ToAbsl(fingerprint->kind()),
        ", not a plugin"));
  }
  // The name is searched as <name>.so, shown, and registered: a note
  // add_preload_plugin did not write (empty, a path, control bytes) is
  // refused before anything is mapped (preload/plugin_name.h).
  if (!IsPluginName(fingerprint->name())) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(path), ": the fingerprint's plugin name ",
        NameProblem(fingerprint->name()), ": ", ToAbsl(kPluginNameRule),
        "; the note was not written by add_preload_plugin, or was altered"));
  }
  return fingerprint;
}

// The descriptor symbol comes from the file: accept only our own names, so a
// crafted note cannot make us look up an arbitrary symbol.
absl::Status CheckDescriptorSymbol(const Fingerprint& fingerprint,
                                   std::string_view path) {
  const std::string_view symbol = fingerprint.Get("descriptor").value_or("");
  // [A-Za-z0-9_] as a table: one lookup per byte.
  static constexpr auto kSymbolChars = [] {
    std::array<bool, 256> table{};
    for (unsigned char c = 'a'; c <= 'z'; ++c) table[c] = true;
    for (unsigned char c = 'A'; c <= 'Z'; ++c) table[c] = true;
    for (unsigned char c = '0'; c <= '9'; ++c) table[c] = true;
    table['_'] = true;
    return table;
  }();
  const bool valid =
      absl::StartsWith(ToAbsl(symbol), PRELOAD_DESCRIPTOR_PREFIX) &&
      std::all_of(symbol.begin(), symbol.end(), [](char c) {
        return kSymbolChars[static_cast<unsigned char>(c)];
      });
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      ToAbsl(path), ": the fingerprint names no valid export descriptor ('",
      ToAbsl(symbol), "')"));
}

absl::StatusOr<std::string> DescriptorSymbol(const Fingerprint& fingerprint,
                                             std::string_view path) {
  if (absl::Status valid = CheckDescriptorSymbol(fingerprint, path); !valid.ok()) {
    return valid;
  }
  return std::string(fingerprint.Get("descriptor").value_or(""));
}

// Has the file open on `fd` been written to since `then` was taken? Its size
// and modification time tell. Not its change time: that also moves when the
// file is renamed over, which leaves its bytes alone. Since Linux 6.13
// (multigrain timestamps) a write after our fstat always moves the time; an
// older kernel may miss a rewrite of the same size within one clock tick, and
// whoever may write the file may also set its time back; sealed copies
// depend on neither (docs/security.md).
absl::Status CheckStillAs(int fd, const struct stat& then,
                          const std::string& path, std::string_view what,
                          std::string_view consequence) {
  struct stat now {};
  if (::fstat(fd, &now) != 0) return OpenError(path, errno);
  if (now.st_size == then.st_size && SameTime(now.st_mtim, then.st_mtim)) {
    return absl::OkStatus();
  }
  return absl::AbortedError(absl::StrCat(
      path, ": ", ToAbsl(what), " (",
      now.st_size == then.st_size
          ? "written to"
          : absl::StrCat("size ", then.st_size, " -> ", now.st_size),
      "), ", ToAbsl(consequence), "; was it being reinstalled? Install "
      "plugins by renaming a complete file into place, and open it again"));
}

}  // namespace preload::internal
