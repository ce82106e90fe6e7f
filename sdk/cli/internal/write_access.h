// Copyright the PreloadSDK authors.
//
// cli/internal/write_access.h — could anyone but root and this user write a
// library, or a directory the dynamic linker searches? The loader's own file
// trust rule (loader/internal/file_trust.h, docs/security.md), asked of files
// the tool only reads: what `deps`, `check` and `scan` flag.
#ifndef PRELOAD_CLI_INTERNAL_WRITE_ACCESS_H_
#define PRELOAD_CLI_INTERNAL_WRITE_ACCESS_H_

#include <string>
#include <vector>

#include "preload/elf_dynamic.h"

namespace preload::cli {

// Empty when only root and this user could have written the file at `path`
// or put it there; otherwise why not ("the directory /tmp/x is writable by
// others (mode 0777, not sticky) ...").
std::string WhoElseCouldWriteFile(const std::string& path);

// The same for a directory a search list names. A directory that does not
// exist is judged by its nearest existing parent: whoever may create entries
// there could create it.
std::string WhoElseCouldWriteDirectory(const std::string& path);

// An entry of a DT_RUNPATH or DT_RPATH that others could write to.
struct UnsafeSearchEntry {
  std::string list;    // "runpath" or "rpath"
  std::string entry;   // as written, $ORIGIN unexpanded
  std::string path;    // $ORIGIN expanded against `origin`
  std::string reason;  // why others could write there
};

// The entries of `dynamic`'s DT_RUNPATH and DT_RPATH that others could
// write to, $ORIGIN expanded to `origin` (the file's directory). A relative
// or empty entry, which ld.so resolves against the working directory, is
// flagged as such; one naming $LIB or $PLATFORM is left alone.
std::vector<UnsafeSearchEntry> UnsafeSearchEntries(const ElfDynamic& dynamic,
                                                   const std::string& origin);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_WRITE_ACCESS_H_
