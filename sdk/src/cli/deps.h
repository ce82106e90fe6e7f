// Copyright the PreloadSDK authors.
//
// cli/deps.h — a file's DT_NEEDED libraries, found the way glibc's ld.so
// would find them, without loading anything.
//
// For each library a file needs, in ld.so's order (man ld.so):
//   1. a name with a '/' is a path, used as it is;
//   2. DT_RPATH of the file and of the files that needed it, only if the
//      file has no DT_RUNPATH;
//   3. LD_LIBRARY_PATH;
//   4. DT_RUNPATH of the file;
//   5. /etc/ld.so.cache, and 6. the default directories, unless the file was
//      linked with -z nodeflib.
// $ORIGIN, $LIB and $PLATFORM (also in braces) are expanded. A candidate of
// another ELF class, byte order or machine is skipped, as ld.so skips it.
// Libraries are visited breadth-first and each name is resolved once, like
// ld.so's list of loaded objects.
#ifndef PRELOAD_CLI_DEPS_H_
#define PRELOAD_CLI_DEPS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/ld_so_cache.h"
#include "cli/output.h"
#include "preload/elf_dynamic.h"

namespace preload::cli {

struct SearchSettings {
  std::vector<std::string> ld_library_path;  // already split
  std::string cache_file = "/etc/ld.so.cache";
  // Overrides the default directories for the file's machine (tests).
  std::optional<std::vector<std::string>> default_dirs;

  // LD_LIBRARY_PATH from the environment, the system's cache.
  static SearchSettings FromEnvironment();
};

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
};

struct DepsReport {
  std::string path;
  ElfDynamic dynamic;
  std::vector<Library> libraries;  // in ld.so's breadth-first order
  std::vector<std::string> missing;  // names not found, in that order
  std::string cache_problem;  // why ld.so.cache was not used, if it was not
};

class DependencyResolver {
 public:
  explicit DependencyResolver(SearchSettings settings);
  ~DependencyResolver();

  // Resolves the libraries `path` needs; with `recursive`, theirs too.
  // NotFound / PermissionDenied when the file cannot be opened;
  // InvalidArgument when it is not ELF or its dynamic section is malformed.
  [[nodiscard]] absl::StatusOr<DepsReport> Resolve(const std::string& path,
                                                   bool recursive);

 private:
  struct Object;
  const LdSoCache* Cache(std::string* problem);
  Library Find(const std::string& name, const Object& requester,
               const std::vector<const Object*>& chain,
               const ElfIdentity& identity, std::string* cache_problem);

  SearchSettings settings_;
  bool cache_loaded_ = false;
  std::unique_ptr<LdSoCache> cache_;
  std::string cache_problem_;
};

// The report as the JSON object documented in docs/cli.md.
Json DepsToJson(const DepsReport& report);

// The report as text: one line per library, `indent` before each.
std::string DepsToText(const DepsReport& report, std::string_view indent);

// "all 5 libraries found" / "2 of 5 libraries not found: a, b".
std::string DepsSummary(const DepsReport& report);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_DEPS_H_
