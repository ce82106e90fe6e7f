// Copyright the PreloadSDK authors.
//
// cli/internal/deps.h — a file's DT_NEEDED libraries, found the way glibc's
// ld.so would find them (elf/internal/library_search.h), without loading
// anything: what `preload deps` and `preload check` report. Libraries are
// visited breadth-first and each name is resolved once, like ld.so's list of
// loaded objects. One resolver used for many files (preload scan) resolves and
// reads each library once, and searches for the files' own direct
// dependencies once per directory and search lists.
#ifndef PRELOAD_CLI_INTERNAL_DEPS_H_
#define PRELOAD_CLI_INTERNAL_DEPS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "elf/internal/library_search.h"
#include "cli/internal/output.h"
#include "cli/internal/write_access.h"
#include "preload/elf_dynamic.h"

namespace preload::cli {

using SearchSettings = internal::LibrarySearchSettings;

// LD_LIBRARY_PATH from the environment, the system's cache: what the tool
// searches with.
SearchSettings SearchSettingsFromEnvironment();

struct Library {
  std::string name;       // as written in DT_NEEDED
  std::string needed_by;  // the file whose DT_NEEDED names it
  int depth = 1;          // 1: needed by the file itself
  bool found = false;
  std::string path;       // where it was found
  std::string via;        // path, rpath, ld_library_path, runpath,
                          // ld.so.cache, default
  std::string search_entry;  // the list entry that matched, unexpanded
  std::vector<std::string> skipped;  // candidates of another ELF class
  std::vector<std::string> searched;  // not found: every place looked in
  std::string error;      // found, but its own dynamic section is unreadable
  // Found, in a place others could write (cli/internal/write_access.h):
  // why; empty if only root and this user could.
  std::string writable_by_others;
};

struct DepsReport {
  std::string path;
  ElfDynamic dynamic;
  std::vector<Library> libraries;  // in ld.so's breadth-first order
  std::vector<std::string> missing;  // names not found, in that order
  std::string cache_problem;  // why ld.so.cache was not used, if it was not
  // The file's own DT_RUNPATH / DT_RPATH entries others could write to.
  std::vector<UnsafeSearchEntry> unsafe_search_entries;

  // Libraries and search entries in places others could write.
  size_t unsafe() const;
};

// What a report says of its file as a whole (preload scan prints no more).
struct DepsOutcome {
  bool missing = false;  // some library was not found
  bool unsafe = false;   // some library or search entry others could write
  std::string summary;   // DepsSummary
};

class DependencyResolver {
 public:
  explicit DependencyResolver(SearchSettings settings);

  // Resolves the libraries `path` needs; with `recursive`, theirs too.
  // NotFound / PermissionDenied when the file cannot be opened;
  // InvalidArgument when it is not ELF or its dynamic section is malformed.
  [[nodiscard]] absl::StatusOr<DepsReport> Resolve(const std::string& path,
                                                   bool recursive);
  // The same for a file whose dynamic section the caller read already,
  // through a descriptor of `path` (ReadElfDynamic): `dynamic`, or why not.
  [[nodiscard]] absl::StatusOr<DepsReport> Resolve(
      const std::string& path, const absl::StatusOr<ElfDynamic>& dynamic,
      bool recursive);
  // The outcome of that Resolve, without copying a kept report.
  [[nodiscard]] absl::StatusOr<DepsOutcome> Outcome(
      const std::string& path, const absl::StatusOr<ElfDynamic>& dynamic,
      bool recursive);

 private:
  // The report kept for a file at `absolute` of that key, or null.
  const DepsReport* Kept(const std::string& key, const std::string& absolute) const;
  // Resolve's breadth-first walk, for a file no report is kept for.
  DepsReport ResolveAnew(const std::string& path, const std::string& absolute,
                         const ElfDynamic& root_dynamic, bool recursive);
  // Also sets `cache_problem` when the search reached an unreadable cache.
  Library Find(const std::string& name,
               const internal::SearchingObject& requester,
               std::string* cache_problem);
  // What Find, ReadDynamicOf and WhoElseCouldWriteFile said before: a scan
  // of many plugins needing the same libraries reads each once. A file's own
  // direct needs are kept per directory and search lists (deps.cc,
  // SearchKey), so memory grows with the directories scanned, not with the
  // files in them. Node maps: what they return stays where it is.
  const internal::FoundLibrary& FindOnce(const std::string& name,
                                         const internal::SearchingObject& requester);
  const absl::StatusOr<ElfDynamic>& DynamicOf(const std::string& library);
  const std::string& WhoElseCouldWrite(const std::string& library);

  std::string Absolute(const std::string& path);
  std::string AbsoluteOnce(const std::string& path);

  std::optional<std::string> working_directory_;  // asked once
  std::optional<std::string> last_directory_;     // Absolute's last, and
  std::string last_directory_absolute_;           // what it was made
  // Outcome's last answer from a kept report, and what it depended on.
  struct LastOutcome {
    std::string origin;
    ElfDynamic dynamic;
    bool recursive;
    const DepsReport* report;  // in reports_, which never erases
    DepsOutcome outcome;
  };
  std::optional<LastOutcome> last_;
  internal::LibrarySearch search_;
  absl::node_hash_map<std::string, internal::FoundLibrary> found_;
  absl::node_hash_map<std::string, absl::StatusOr<ElfDynamic>> dynamics_;
  absl::node_hash_map<std::string, std::string> writers_;
  // Whole reports, by directory and dynamic section (deps.cc, ReportKey):
  // plugins copied or built alike into one directory are resolved once.
  absl::node_hash_map<std::string, DepsReport> reports_;
};

// The report as the JSON object documented in docs/cli.md.
Json DepsToJson(const DepsReport& report);

// The report as text: one line per library, `indent` before each; with
// `missing_only`, only the libraries not found.
std::string DepsToText(const DepsReport& report, std::string_view indent,
                       bool missing_only = false);

// "all 5 libraries found" / "2 of 5 libraries not found: a, b", then
// "; 1 in a place others could write" if any is.
std::string DepsSummary(const DepsReport& report);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_DEPS_H_
