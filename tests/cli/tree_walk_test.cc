// Tests for cli/internal/tree_walk.h: the walk `preload scan` makes, against
// fts(3) walking the same trees as the scan walked them before (FTS_LOGICAL |
// FTS_NOCHDIR, entries sorted by name): the same events in the same order,
// with the same paths, names, levels and errors.
#include "cli/internal/tree_walk.h"

#include <fcntl.h>
#include <fts.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace preload::cli {
namespace {

int CompareNames(const FTSENT** a, const FTSENT** b) {
  return std::strcmp((*a)->fts_name, (*b)->fts_name);
}

// What the scan's fts loop saw, one line per entry it acted on.
std::vector<std::string> FtsEvents(const std::vector<std::string>& roots) {
  std::vector<char*> argv;
  for (const std::string& root : roots) argv.push_back(const_cast<char*>(root.c_str()));
  argv.push_back(nullptr);
  FTS* walk = ::fts_open(argv.data(), FTS_LOGICAL | FTS_NOCHDIR, CompareNames);
  if (walk == nullptr) return {"refused " + std::to_string(errno)};
  std::vector<std::string> out;
  while (FTSENT* e = ::fts_read(walk)) {
    const std::string level = std::to_string(e->fts_level);
    switch (e->fts_info) {
      case FTS_D:
        out.push_back("D " + level + " " + e->fts_path + " | " + e->fts_name);
        break;
      case FTS_F:
        out.push_back("F " + level + " " + e->fts_path + " | " + e->fts_name);
        break;
      case FTS_DC:
        // Every FTSENT's fts_path is the stream's one buffer, which holds the
        // current entry's path: the ancestor's is as much of it as its length.
        out.push_back(std::string("C ") + e->fts_path + " -> " +
                      std::string(e->fts_path, e->fts_cycle->fts_pathlen));
        break;
      case FTS_SLNONE:
        out.push_back("L " + level + " " + e->fts_path + " | " + e->fts_name);
        break;
      case FTS_DNR:
      case FTS_ERR:
      case FTS_NS:
        out.push_back(std::string("E ") + e->fts_path + ": " + std::strerror(e->fts_errno));
        break;
      default:
        break;
    }
  }
  ::fts_close(walk);
  return out;
}

std::vector<std::string> WalkEvents(const std::vector<std::string>& roots) {
  std::vector<std::string> out;
  const int refused = WalkTrees(roots, [&out](const WalkEvent& e) {
    const std::string path(e.path), name(e.name), level = std::to_string(e.level);
    switch (e.kind) {
      case WalkEvent::Kind::kDirectory:
        out.push_back("D " + level + " " + path + " | " + name);
        break;
      case WalkEvent::Kind::kFile: {
        out.push_back("F " + level + " " + path + " | " + name);
        // Told without a stat: it must be a regular file, not reached by a link.
        struct stat info {};
        if (e.regular_entry &&
            (::lstat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode))) {
          out.push_back("not a regular entry: " + path);
        }
        break;
      }
      case WalkEvent::Kind::kCycle:
        out.push_back("C " + path + " -> " + std::string(e.ancestor));
        break;
      case WalkEvent::Kind::kBrokenLink:
        out.push_back("L " + level + " " + path + " | " + name);
        break;
      case WalkEvent::Kind::kError:
        out.push_back("E " + path + ": " + std::strerror(e.error));
        break;
    }
  });
  if (refused != 0) return {"refused " + std::to_string(refused)};
  return out;
}

class TreeWalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/preload-tree-walk-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
  }
  void TearDown() override {
    Run("chmod -R u+rwx '" + root_ + "' 2>/dev/null; rm -rf '" + root_ + "'");
  }
  static void Run(const std::string& command) {
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  std::string At(const std::string& relative) const { return root_ + "/" + relative; }
  void Dir(const std::string& relative) const {
    ASSERT_EQ(::mkdir(At(relative).c_str(), 0755), 0) << relative;
  }
  void File(const std::string& relative) const {
    std::ofstream(At(relative)) << "not ELF";
  }
  void Link(const std::string& target, const std::string& relative) const {
    ASSERT_EQ(::symlink(target.c_str(), At(relative).c_str()), 0) << relative;
  }
  void ExpectSame(const std::vector<std::string>& roots) const {
    const std::vector<std::string> expected = FtsEvents(roots);
    EXPECT_EQ(WalkEvents(roots), expected);
    EXPECT_FALSE(expected.empty());
  }

  std::string root_;
};

TEST_F(TreeWalkTest, NamesSortedByBytesFilesAndDirectoriesTogether) {
  for (const char* dir : {"b", "B", "b/z", "b/a", "a.so.d", "_"}) Dir(dir);
  for (const char* file : {"a.so", "c.so", "C.so", "b/x.so", "b/a/y.so", "b/z/z.so",
                           "b/a.so", "_/.hidden.so", "notes.txt", "a.so.d/1.so"}) {
    File(file);
  }
  ASSERT_EQ(::mkfifo(At("fifo.so").c_str(), 0644), 0);  // neither file nor directory
  ExpectSame({root_});
  ExpectSame({root_ + "/"});
  ExpectSame({root_ + "//"});
}

TEST_F(TreeWalkTest, OperandsSortedFilesMissingAndEmpty) {
  Dir("one");
  Dir("two");
  File("one/p.so");
  File("two/q.so");
  File("file.so");
  Link("nowhere.so", "dangling.so");
  ExpectSame({At("two"), At("one"), At("file.so"), At("missing"), At("dangling.so"),
              At("two")});
  EXPECT_EQ(WalkEvents({At("one"), ""}), FtsEvents({At("one"), ""}));
}

TEST_F(TreeWalkTest, SymlinksFollowedLoopsReportedNotFollowed) {
  for (const char* dir : {"real", "real/deeper", "elsewhere"}) Dir(dir);
  File("real/p.so");
  File("elsewhere/e.so");
  Link("p.so", "real/to_file.so");            // a link to a file: checked
  Link("../elsewhere", "real/to_dir");        // a link to a directory: followed
  Link("..", "real/deeper/up");               // back to an ancestor: a loop
  Link(root_, "real/deeper/top");             // back to the operand
  Link("gone.so", "real/dangling.so");        // to nothing
  Link("gone", "real/dangling_dir");          // to nothing, not a .so name
  Link("self", "real/self");                  // to itself: ELOOP
  ExpectSame({root_});
  ExpectSame({At("real/to_dir")});
  ExpectSame({At("real/deeper/up")});
}

TEST_F(TreeWalkTest, DeepTreeBeyondPathMax) {
  // Each level's name is 200 bytes: past PATH_MAX, stat and opendir by path
  // fail with ENAMETOOLONG, as fts's did. Made relative to descriptors.
  const std::string name(200, 'd');
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  for (int level = 0; level < 24; ++level) {
    ASSERT_EQ(::mkdirat(fd, name.c_str(), 0755), 0);
    const int file = ::openat(fd, (std::to_string(level) + ".so").c_str(),
                              O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(file, 0);
    ::close(file);
    const int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY);
    ::close(fd);
    ASSERT_GE(next, 0);
    fd = next;
  }
  ::close(fd);
  const std::vector<std::string> events = WalkEvents({root_});
  EXPECT_EQ(events, FtsEvents({root_}));
  bool too_long = false;
  for (const std::string& event : events) {
    too_long = too_long || event.find(std::strerror(ENAMETOOLONG)) != std::string::npos;
  }
  EXPECT_TRUE(too_long);
}

TEST_F(TreeWalkTest, ManyFiles) {
  Dir("many");
  Dir("many/sub");
  for (int i = 0; i < 3000; ++i) {
    // Names whose order is not their creation's.
    File("many/" + std::to_string((i * 7919) % 3001) + (i % 3 == 0 ? ".so" : ".txt"));
  }
  File("many/sub/last.so");
  ExpectSame({At("many")});
}

TEST_F(TreeWalkTest, UnreadableAndUnsearchableDirectories) {
  for (const char* dir : {"closed", "listed", "open"}) Dir(dir);
  File("closed/a.so");
  File("listed/b.so");
  Dir("listed/inner");
  File("open/c.so");
  ASSERT_EQ(::chmod(root_.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(At("closed").c_str(), 0), 0);
  ASSERT_EQ(::chmod(At("listed").c_str(), 0444), 0);  // read, not search
  if (::geteuid() != 0) {
    ExpectSame({root_});
    return;
  }
  // Root reads and searches every directory: compare as nobody.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
      ::_exit(3);
    }
    const std::vector<std::string> expected = FtsEvents({root_});
    bool refused = false;
    for (const std::string& event : expected) {
      refused = refused || event.find(std::strerror(EACCES)) != std::string::npos;
    }
    ::_exit(!refused ? 2 : WalkEvents({root_}) == expected ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "1: the walks differ; 2: nothing was refused; 3: could not become nobody";
}

}  // namespace
}  // namespace preload::cli
