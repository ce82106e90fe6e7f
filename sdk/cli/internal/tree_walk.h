// Copyright the PreloadSDK authors.
//
// cli/internal/tree_walk.h — the walk `preload scan` makes of its operands:
// what fts(3) gave it with FTS_LOGICAL | FTS_NOCHDIR and entries sorted by
// name, in the same order, with the same paths and the same errors, but
// holding only the names of the directories being walked (no FTSENT and
// stat per entry) and asking the file system only what the order and the
// messages need: an entry whose type the directory records (d_type) is not
// stat'ed, unless it is a directory (its identity finds loops) or a symbolic
// link (followed, as FTS_LOGICAL does).
//
//   WalkTrees({"plugins"}, [](const WalkEvent& event) { ... });
#ifndef PRELOAD_CLI_INTERNAL_TREE_WALK_H_
#define PRELOAD_CLI_INTERNAL_TREE_WALK_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"

namespace preload::cli {

struct WalkEvent {
  enum class Kind {
    kDirectory,   // entered, before its entries (fts: FTS_D)
    kFile,        // a regular file, or a link to one (FTS_F)
    kCycle,       // a directory that is one of its own ancestors (FTS_DC)
    kBrokenLink,  // a symbolic link to nothing (FTS_SLNONE)
    kError,       // unreadable directory, or an entry that cannot be stat'ed
                  // (FTS_DNR, FTS_NS, FTS_ERR): `error` is the errno
  };
  Kind kind;
  std::string_view path;  // as fts names it: the operand, then "/" + names
  std::string_view name;  // the last part of `path` (an operand: all of it)
  int level = 0;          // 0 for an operand, 1 for its entries, ...
  std::string_view ancestor;  // kCycle: the path of the directory it repeats
  int error = 0;              // kError
  // kFile below an operand: the directory's own type record said "regular
  // file" (no link was followed to reach it).
  bool regular_entry = false;
};

// Walks each of `roots`, sorted by strcmp as fts sorts them, depth first,
// each directory's entries sorted by name; calls visit for every event.
// Returns 0, or the errno for which fts_open would have refused the roots
// (an empty one: ENOENT).
int WalkTrees(const std::vector<std::string>& roots,
              absl::FunctionRef<void(const WalkEvent&)> visit);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_TREE_WALK_H_
