// Copyright the PreloadSDK authors.
#include "cli/internal/tree_walk.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace preload::cli {
namespace {

// A directory's entries: their names one after another, each ended by a NUL,
// and where each starts with its type record. About 20 bytes an entry,
// where fts kept an FTSENT and a struct stat (some 300).
struct Entries {
  std::string names;
  struct Entry {
    uint32_t at;
    unsigned char type;  // d_type
  };
  std::vector<Entry> list;

  const char* Name(const Entry& entry) const { return names.data() + entry.at; }
};

// Reads the directory at `path`, "." and ".." left out, sorted by name as
// fts's comparison sorted them. Returns 0 or opendir's errno; an error
// while reading ends the list, as it ended fts's.
int ReadEntries(const std::string& path, Entries& out) {
  DIR* stream = ::opendir(path.c_str());
  if (stream == nullptr) return errno;
  while (const dirent* entry = ::readdir(stream)) {
    const char* name = entry->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
      continue;
    }
    out.list.push_back({static_cast<uint32_t>(out.names.size()), entry->d_type});
    out.names.append(name, std::strlen(name) + 1);
  }
  ::closedir(stream);
  std::sort(out.list.begin(), out.list.end(),
            [&out](const Entries::Entry& a, const Entries::Entry& b) {
              return std::strcmp(out.Name(a), out.Name(b)) < 0;
            });
  return 0;
}

class Walker {
 public:
  explicit Walker(absl::FunctionRef<void(const WalkEvent&)> visit) : visit_(visit) {}

  void Root(const std::string& root) {
    path_ = root;
    // fts named an operand by what follows its last '/' (nothing, for
    // "dir/"), or by all of it if that '/' is its only character.
    const std::size_t slash = root.rfind('/');
    Visit(slash == std::string::npos || root == "/" ? 0 : slash + 1, 0);
  }

 private:
  // A directory on the way from the operand to the entry being visited.
  struct Ancestor {
    dev_t dev;
    ino_t ino;
    std::size_t path_size;  // its path is that much of path_
  };

  // What fts did with an entry it stat'ed (following links): path_ names it,
  // from `name_at` on its name. Returns whether the stat reached the entry.
  bool Visit(std::size_t name_at, int level) {
    struct stat info {};
    if (::stat(path_.c_str(), &info) != 0) {
      const int error = errno;
      struct stat link {};
      if (::lstat(path_.c_str(), &link) == 0) {  // whatever stopped the stat
        Emit(WalkEvent::Kind::kBrokenLink, name_at, level);
        return true;
      }
      Emit(WalkEvent::Kind::kError, name_at, level, error);
      return false;
    }
    if (S_ISREG(info.st_mode)) {
      Emit(WalkEvent::Kind::kFile, name_at, level);
    } else if (S_ISDIR(info.st_mode)) {
      Directory(info, name_at, level);
    }
    return true;
  }

  void Directory(const struct stat& info, std::size_t name_at, int level) {
    for (auto up = ancestors_.rbegin(); up != ancestors_.rend(); ++up) {
      if (up->dev == info.st_dev && up->ino == info.st_ino) {
        WalkEvent event = Event(WalkEvent::Kind::kCycle, name_at, level);
        event.ancestor = std::string_view(path_).substr(0, up->path_size);
        visit_(event);
        return;
      }
    }
    Emit(WalkEvent::Kind::kDirectory, name_at, level);
    Entries entries;
    if (const int error = ReadEntries(path_, entries); error != 0) {
      Emit(WalkEvent::Kind::kError, name_at, level, error);
      return;
    }
    ancestors_.push_back({info.st_dev, info.st_ino, path_.size()});
    // fts joined a path ending in '/' to a name without adding another.
    const std::size_t base =
        !path_.empty() && path_.back() == '/' ? path_.size() - 1 : path_.size();
    // An entry the directory records as a regular file is one, and is not
    // stat'ed, once a stat through this directory has worked: until then,
    // a directory that cannot be searched fails each stat, as fts reported.
    bool searchable = false;
    for (const Entries::Entry& entry : entries.list) {
      path_.resize(base);
      path_ += '/';
      path_ += entries.Name(entry);
      if (entry.type == DT_REG && path_.size() < PATH_MAX) {
        struct stat probe {};
        if (!searchable && ::lstat(path_.c_str(), &probe) == 0 &&
            S_ISREG(probe.st_mode)) {
          searchable = true;
        }
        if (searchable) {
          WalkEvent event = Event(WalkEvent::Kind::kFile, base + 1, level + 1);
          event.regular_entry = true;
          visit_(event);
          continue;
        }
      }
      if (Visit(base + 1, level + 1)) searchable = true;
    }
    path_.resize(ancestors_.back().path_size);
    ancestors_.pop_back();
  }

  WalkEvent Event(WalkEvent::Kind kind, std::size_t name_at, int level) const {
    WalkEvent event{kind};
    event.path = path_;
    event.name = std::string_view(path_).substr(name_at);
    event.level = level;
    return event;
  }

  void Emit(WalkEvent::Kind kind, std::size_t name_at, int level, int error = 0) {
    WalkEvent event = Event(kind, name_at, level);
    event.error = error;
    visit_(event);
  }

  absl::FunctionRef<void(const WalkEvent&)> visit_;
  std::string path_;
  std::vector<Ancestor> ancestors_;
};

}  // namespace

int WalkTrees(const std::vector<std::string>& roots,
              absl::FunctionRef<void(const WalkEvent&)> visit) {
  std::vector<const std::string*> sorted;
  for (const std::string& root : roots) {
    if (root.empty()) return ENOENT;  // fts_open refused a zero-length path
    sorted.push_back(&root);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const std::string* a, const std::string* b) {
                     return std::strcmp(a->c_str(), b->c_str()) < 0;
                   });
  Walker walker(visit);
  for (const std::string* root : sorted) walker.Root(*root);
  return 0;
}

}  // namespace preload::cli
