// Copyright the PreloadSDK authors.
//
// elf/internal/library_search.h — where glibc's ld.so would find a library an
// ELF object needs, found without loading anything. The one model of the
// dynamic linker's search in the SDK: `preload deps` reports it, and the
// loader uses it to find the dependencies a plugin reaches through $ORIGIN.
//
// For each library an object needs, in ld.so's order (man ld.so):
//   1. a name with a '/' is a path, used as it is;
//   2. DT_RPATH of the object and of the objects that needed it, only if the
//      object has no DT_RUNPATH;
//   3. LD_LIBRARY_PATH, as the caller read it (this reads no environment);
//   4. DT_RUNPATH of the object;
//   5. /etc/ld.so.cache, and 6. the default directories, unless the object
//      was linked with -z nodeflib.
// $ORIGIN, $LIB and $PLATFORM (also in braces) are expanded. A candidate of
// another ELF class, byte order or machine is skipped, as ld.so skips it.
#ifndef PRELOAD_ELF_INTERNAL_LIBRARY_SEARCH_H_
#define PRELOAD_ELF_INTERNAL_LIBRARY_SEARCH_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "elf/internal/ld_so_cache.h"
#include "preload/elf_dynamic.h"

namespace preload::internal {

struct LibrarySearchSettings {
  // LD_LIBRARY_PATH, split (SplitLibraryPath), as the caller read it.
  std::vector<std::string> ld_library_path;
  std::string cache_file = "/etc/ld.so.cache";
  // Steps 5 and 6. Off for a caller that only needs to know what the
  // object's own search lists and LD_LIBRARY_PATH find.
  bool system_directories = true;
  // Overrides the default directories for the object's machine (tests).
  std::optional<std::vector<std::string>> default_dirs;
};

// Debian's multiarch directory name for code of `id`'s machine
// ("x86_64-linux-gnu"), or "" for a machine this model does not know.
std::string MultiarchTriplet(const ElfIdentity& id);

// The same for the machine this code was compiled for: where GNUInstallDirs
// puts libraries under /usr (lib/<triplet>).
std::string OwnMultiarchTriplet();

// LD_LIBRARY_PATH's value split as ld.so splits it, at ':' and ';'. An empty
// entry stays: ld.so reads it as the working directory.
std::vector<std::string> SplitLibraryPath(std::string_view value);

// An object whose DT_NEEDED libraries are searched for.
struct SearchingObject {
  std::string path;    // absolute, symlinks kept, as ld.so names it
  std::string origin;  // what $ORIGIN expands to: the directory of `path`
  ElfDynamic dynamic;
  const SearchingObject* parent = nullptr;  // the object that needed it
  int depth = 0;                            // 0: the object searched from
};

// Where one library was found, or every place it was looked for.
struct FoundLibrary {
  bool found = false;
  std::string path;  // where it was found
  // Which step found it: path, rpath, ld_library_path, runpath, ld.so.cache,
  // default.
  std::string via;
  std::string search_entry;    // the list entry that matched, unexpanded
  bool through_origin = false;  // that entry is an rpath or runpath with $ORIGIN
  std::vector<std::string> skipped;   // candidates of another ELF class
  std::vector<std::string> searched;  // every place looked in
  // Why ld.so.cache was not read when the search reached it; empty if it was
  // read or not reached.
  std::string cache_problem;
};

class LibrarySearch {
 public:
  explicit LibrarySearch(LibrarySearchSettings settings);
  ~LibrarySearch();
  LibrarySearch(const LibrarySearch&) = delete;
  LibrarySearch& operator=(const LibrarySearch&) = delete;

  // Where ld.so would find the library `name` (a DT_NEEDED value) that
  // `requester` needs; the DT_RPATHs searched are those of `requester` and
  // of the objects that needed it (its parents).
  FoundLibrary Find(const std::string& name, const SearchingObject& requester);

 private:
  const LdSoCache* Cache();

  LibrarySearchSettings settings_;
  bool cache_loaded_ = false;
  std::unique_ptr<LdSoCache> cache_;
  std::string cache_problem_;
};

// `path` made absolute against the working directory, "." components and
// doubled slashes dropped; ".." is kept (a symlink may sit before it).
std::string AbsolutePath(const std::string& path);

// The directory part of `path`: "." for a bare name, "/" for "/x".
std::string DirectoryOf(const std::string& path);

}  // namespace preload::internal

#endif  // PRELOAD_ELF_INTERNAL_LIBRARY_SEARCH_H_
