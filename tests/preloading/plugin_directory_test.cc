// Loader::VerifyDirectory and PluginDirectory, in-process: a directory scan
// checks the directory's trust once and each file relative to its
// descriptor, and must give, file by file, what Loader::Verify gives for the
// file's path — the same fingerprint, or the same refusal in the same words.
// Every case that Verify refuses is refused by the scan too.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fixture_paths.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "loader/internal/file_trust.h"
#include "preload/loader.h"
#include "temp_tree.h"

namespace preload {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const std::string kAlpha = PL_ALPHA;
const std::string kLegacy = PL_LEGACY;

using testing::MessageOf;
using testing::NobodyUid;

// Both accepted with the same fingerprint, or both refused alike.
::testing::AssertionResult Same(const absl::StatusOr<Fingerprint>& scan,
                                const absl::StatusOr<Fingerprint>& verify) {
  if (scan.ok() != verify.ok() || scan.status() != verify.status()) {
    return ::testing::AssertionFailure()
           << "scan: " << scan.status() << "\nverify: " << verify.status();
  }
  if (scan.ok() && scan->Serialize() != verify->Serialize()) {
    return ::testing::AssertionFailure() << "different fingerprints";
  }
  return ::testing::AssertionSuccess();
}

using Results = std::map<std::string, absl::StatusOr<Fingerprint>>;

// A fresh tree under /tmp (testing::TempTree) to scan.
class PluginDirectoryTest : public testing::TempTree {
 protected:
  // Every result of VerifyDirectory(dir), by name.
  static Results Scan(const Loader& loader, const std::string& dir) {
    Results results;
    const absl::Status status = loader.VerifyDirectory(
        dir, [&](std::string_view name, absl::StatusOr<Fingerprint> result) {
          EXPECT_TRUE(results.emplace(std::string(name), std::move(result)).second)
              << name << " visited twice";
        });
    EXPECT_TRUE(status.ok()) << status;
    return results;
  }
  static std::vector<std::string> Names(const Results& results) {
    std::vector<std::string> names;
    for (const auto& [name, unused] : results) names.push_back(name);
    return names;
  }
  // Each result is what Verify gives for dir + "/" + name.
  static void ExpectLikeVerify(const Loader& loader, const std::string& dir,
                               const Results& results) {
    for (const auto& [name, result] : results) {
      EXPECT_TRUE(Same(result, loader.Verify(dir + "/" + name))) << name;
    }
  }
};

// Every kind of entry Verify refuses, and some it accepts, side by side in
// one trusted directory.
TEST_F(PluginDirectoryTest, EachFileGetsWhatVerifyGivesIt) {
  const std::string dir = Dir("plugins");
  Copy(kAlpha, "plugins/a.so");
  Copy(kAlpha, "plugins/b.so");
  Copy(kLegacy, "plugins/legacy.so");               // refused by its fingerprint
  Copy(kAlpha, "plugins/group_writable.so", 0775);  // refused: mode
  Copy(kAlpha, "plugins/not_a_plugin.txt");         // not visited
  Copy(kAlpha, "plugins/.so");                      // not visited: no name
  ASSERT_EQ(::mkfifo((fs::path(dir) / "fifo.so").c_str(), 0644), 0);
  Dir("plugins/sub.so");
  {
    const int fd = ::creat((fs::path(dir) / "empty.so").c_str(), 0644);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  // Symlinks are judged by where they lead, as Verify judges them.
  const std::string open = Dir("open", 0777);
  Copy(kAlpha, "open/untrusted.so");
  fs::create_symlink(fs::path(open) / "untrusted.so",
                     fs::path(dir) / "to_untrusted.so");
  fs::create_symlink(root_ / "plugins" / "a.so", fs::path(dir) / "to_a.so");
  fs::create_symlink(root_ / "nowhere.so", fs::path(dir) / "dangling.so");

  Loader loader;
  ::alarm(60);  // a FIFO that blocked the scan would hang the test
  const Results results = Scan(loader, dir);
  ::alarm(0);
  EXPECT_THAT(Names(results),
              UnorderedElementsAre("a.so", "b.so", "legacy.so", "group_writable.so",
                                   "fifo.so", "sub.so", "empty.so", "to_untrusted.so",
                                   "to_a.so", "dangling.so"));
  ExpectLikeVerify(loader, dir, results);

  // What Verify gives, spelled out, so that both going wrong alike fails too.
  EXPECT_TRUE(results.at("a.so").ok()) << results.at("a.so").status();
  EXPECT_EQ(results.at("a.so")->name(), "pl_alpha");
  EXPECT_TRUE(results.at("to_a.so").ok()) << results.at("to_a.so").status();
  EXPECT_EQ(results.at("legacy.so").status().code(),
            absl::StatusCode::kFailedPrecondition);
  const absl::Status& group = results.at("group_writable.so").status();
  EXPECT_EQ(group.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(MessageOf(group),
              AllOf(HasSubstr(dir + "/group_writable.so: refused: the file is "
                              "writable by its group (mode 0775)"),
                    HasSubstr("chmod go-w")));
  for (const char* name : {"fifo.so", "sub.so"}) {
    EXPECT_EQ(MessageOf(results.at(name).status()),
              dir + "/" + name + ": not a regular file; a plugin is a .so file");
  }
  EXPECT_EQ(results.at("empty.so").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(results.at("to_untrusted.so").status()),
              HasSubstr("the directory " + open + " is writable by others"));
  EXPECT_EQ(results.at("dangling.so").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(PluginDirectoryTest, FileOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown a file to nobody";
  const std::string dir = Dir("plugins");
  const std::string file = Copy(kAlpha, "plugins/theirs.so");
  Copy(kAlpha, "plugins/ours.so");
  ASSERT_EQ(::chown(file.c_str(), NobodyUid(), static_cast<gid_t>(-1)), 0);
  Loader loader;
  const Results results = Scan(loader, dir);
  ExpectLikeVerify(loader, dir, results);
  EXPECT_TRUE(results.at("ours.so").ok());
  EXPECT_EQ(results.at("theirs.so").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(MessageOf(results.at("theirs.so").status()),
              HasSubstr(file + ": refused: the file " + file + " is owned by uid " +
                        std::to_string(NobodyUid())));
}

TEST_F(PluginDirectoryTest, FileOfAnotherUserInAStickyDirectoryIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown a file to nobody";
  const std::string dir = Dir("sticky", 01777);
  const std::string file = Copy(kAlpha, "sticky/theirs.so");
  Copy(kAlpha, "sticky/ours.so");
  ASSERT_EQ(::chown(file.c_str(), NobodyUid(), static_cast<gid_t>(-1)), 0);
  Loader loader;
  const Results results = Scan(loader, dir);
  ExpectLikeVerify(loader, dir, results);
  EXPECT_TRUE(results.at("ours.so").ok()) << results.at("ours.so").status();
  EXPECT_EQ(results.at("theirs.so").status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(PluginDirectoryTest, DirectoryOwnedByAnotherUserRefusesEveryFile) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown a directory to nobody";
  const std::string dir = Dir("theirs");
  Copy(kAlpha, "theirs/a.so");
  ASSERT_EQ(::chown(dir.c_str(), NobodyUid(), static_cast<gid_t>(-1)), 0);
  Loader loader;
  const Results results = Scan(loader, dir);
  ExpectLikeVerify(loader, dir, results);
  EXPECT_THAT(MessageOf(results.at("a.so").status()),
              HasSubstr("the directory " + dir + " is owned by uid"));
}

// Each file gets its own refusal, naming the file, as Verify words it.
TEST_F(PluginDirectoryTest, NonStickyWorldWritableDirectoryRefusesEveryFile) {
  const std::string dir = Dir("open", 0777);
  Copy(kAlpha, "open/a.so");
  Copy(kAlpha, "open/b.so");
  Loader loader;
  const Results results = Scan(loader, dir);
  ASSERT_THAT(Names(results), ElementsAre("a.so", "b.so"));
  ExpectLikeVerify(loader, dir, results);
  for (const auto& [name, result] : results) {
    EXPECT_EQ(result.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(MessageOf(result.status()),
                AllOf(HasSubstr(dir + "/" + name + ": refused: the directory " + dir +
                                " is writable by others (mode 0777, not sticky)")));
  }
}

TEST_F(PluginDirectoryTest, WritableDirectoryAboveRefusesEveryFile) {
  Dir("open", 0777);
  const std::string dir = Dir("open/plugins");
  Copy(kAlpha, "open/plugins/a.so");
  Loader loader;
  const Results results = Scan(loader, dir);
  ExpectLikeVerify(loader, dir, results);
  EXPECT_THAT(MessageOf(results.at("a.so").status()),
              HasSubstr("the directory " + (root_ / "open").string() +
                        " is writable by others"));
}

TEST_F(PluginDirectoryTest, GroupWritableDirectoryRefusesEveryFile) {
  const std::string dir = Dir("group", 0775);
  Copy(kAlpha, "group/a.so");
  Loader loader;
  const Results results = Scan(loader, dir);
  ExpectLikeVerify(loader, dir, results);
  EXPECT_EQ(results.at("a.so").status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(PluginDirectoryTest, StickyWorldWritableDirectoryIsAccepted) {
  const std::string dir = Dir("sticky", 01777);
  Copy(kAlpha, "sticky/a.so");
  Loader loader;
  const Results results = Scan(loader, dir);
  ExpectLikeVerify(loader, dir, results);
  EXPECT_TRUE(results.at("a.so").ok()) << results.at("a.so").status();
}

// Other spellings of the directory: every path is named as the caller spelled
// it, and the trust is judged by the real path, as Verify does.
TEST_F(PluginDirectoryTest, OtherSpellingsOfTheDirectoryAreJudgedByTheRealPath) {
  Dir("ok");
  Copy(kAlpha, "ok/a.so");
  Copy(kAlpha, "ok/mode.so", 0757);
  const std::string open = Dir("open", 0777);
  fs::create_directory_symlink(root_ / "ok", fs::path(open) / "link");
  Loader loader;
  for (const std::string& dir :
       {(root_ / "ok").string() + "/", open + "/link", open + "/../ok",
        std::string("ok"), std::string("./ok/")}) {
    SCOPED_TRACE(dir);
    const fs::path before = fs::current_path();
    fs::current_path(root_);
    const Results results = Scan(loader, dir);
    const std::string prefix = dir.back() == '/' ? dir : dir + "/";
    for (const auto& [name, result] : results) {
      EXPECT_TRUE(Same(result, loader.Verify(prefix + name))) << name;
    }
    fs::current_path(before);
    ASSERT_THAT(Names(results), ElementsAre("a.so", "mode.so"));
    EXPECT_TRUE(results.at("a.so").ok()) << results.at("a.so").status();
    EXPECT_THAT(MessageOf(results.at("mode.so").status()),
                HasSubstr((root_ / "ok" / "mode.so").string() + ": refused"));
  }
}

// A name that is not an entry of the directory itself would leave the
// checked directory: it is verified by its path, the whole way.
TEST_F(PluginDirectoryTest, ANameThatLeavesTheDirectoryIsCheckedTheWholeWay) {
  const std::string dir = Dir("plugins");
  Dir("plugins/open", 0777);
  Copy(kAlpha, "plugins/open/a.so");
  Copy(kAlpha, "outside.so", 0777);
  Loader loader;
  absl::StatusOr<PluginDirectory> directory = loader.OpenDirectory(dir);
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ(directory->path(), dir);
  for (const std::string name : {"open/a.so", "../outside.so", ".", ".."}) {
    SCOPED_TRACE(name);
    const absl::StatusOr<Fingerprint> result = directory->Verify(name);
    EXPECT_FALSE(result.ok());
    EXPECT_TRUE(Same(result, loader.Verify(dir + "/" + name)));
  }
  EXPECT_EQ(directory->Verify("open/a.so").status().code(),
            absl::StatusCode::kPermissionDenied);
}

// The scan reads the directory it opened and checked. Swapped for another
// (renamed away, an untrusted one put in its place) while scanning, it goes
// on with the checked one's files and never sees the other's.
TEST_F(PluginDirectoryTest, ADirectorySwappedWhileScanningIsNotFollowed) {
  const std::string dir = Dir("plugins");
  for (const char* name : {"a.so", "b.so", "c.so", "d.so"}) {
    Copy(kAlpha, std::string("plugins/") + name);
  }
  Loader loader;
  std::vector<std::string> names;
  bool swapped = false;
  const absl::Status status = loader.VerifyDirectory(
      dir, [&](std::string_view name, absl::StatusOr<Fingerprint> result) {
        names.emplace_back(name);
        EXPECT_TRUE(result.ok()) << name << ": " << result.status();
        if (swapped) return;
        swapped = true;
        fs::rename(dir, root_ / "old");
        Dir("plugins", 0777);
        Copy(kAlpha, "plugins/evil.so", 0777);
      });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_TRUE(swapped);
  EXPECT_THAT(names, UnorderedElementsAre("a.so", "b.so", "c.so", "d.so"));
  // By its path, the new directory's file is refused.
  EXPECT_EQ(loader.Verify(dir + "/evil.so").status().code(),
            absl::StatusCode::kPermissionDenied);
}

// The walk ends at the very directory that is open: when the path names
// another directory by then (a trusted one, here), the open one is judged
// where it really is (under a directory anyone may write, here).
TEST_F(PluginDirectoryTest, TheTrustWalkEndsAtTheOpenDirectory) {
  const std::string dir = Dir("plugins");
  const std::string open = Dir("open", 0777);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct stat info {};
  ASSERT_EQ(::fstat(fd, &info), 0);
  EXPECT_TRUE(internal::CheckDirectoryTrust(dir, fd, info).ok());
  fs::rename(dir, fs::path(open) / "moved");
  Dir("plugins");
  const absl::StatusOr<internal::TrustedDirectory> swapped =
      internal::CheckDirectoryTrust(dir, fd, info);
  ::close(fd);
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(MessageOf(swapped.status()),
              HasSubstr("the directory " + open + " is writable by others"));
}

TEST_F(PluginDirectoryTest, TheTrustCheckCanBeTurnedOff) {
  const std::string dir = Dir("open", 0777);
  Copy(kAlpha, "open/a.so", 0777);
  Copy(kLegacy, "open/legacy.so", 0777);
  LoaderOptions options;
  options.check_file_trust = false;
  Loader loader(options);
  const Results results = Scan(loader, dir);
  ExpectLikeVerify(loader, dir, results);
  EXPECT_TRUE(results.at("a.so").ok()) << results.at("a.so").status();
  EXPECT_EQ(results.at("legacy.so").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// The verify trace says the same of each file as Verify's, and once of the
// directory that its trust was checked.
TEST_F(PluginDirectoryTest, TheTraceSaysWhatVerifysSays) {
  const std::string dir = Dir("sticky", 01777);
  Copy(kAlpha, "sticky/a.so");
  std::vector<std::string> lines;
  LoaderOptions options;
  options.trace.verify = true;
  options.trace.sink = [&lines](std::string_view line) { lines.emplace_back(line); };
  Loader loader(options);
  lines.clear();
  Scan(loader, dir);
  std::vector<std::string> scan_lines = lines;
  ASSERT_FALSE(scan_lines.empty());
  EXPECT_THAT(scan_lines.front(),
              AllOf(HasSubstr(dir + ": directory trust: checked once"),
                    HasSubstr("(sticky, accepted: /tmp, " + dir + ")")));
  scan_lines.erase(scan_lines.begin());
  lines.clear();
  ASSERT_TRUE(loader.Verify(dir + "/a.so").ok());
  EXPECT_EQ(scan_lines, lines);
}

TEST_F(PluginDirectoryTest, ADirectoryThatCannotBeOpenedIsAnError) {
  Loader loader;
  const std::string missing = (root_ / "missing").string();
  const absl::Status status =
      loader.VerifyDirectory(missing, [](std::string_view, absl::StatusOr<Fingerprint>) {
        ADD_FAILURE() << "visited";
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(MessageOf(status), HasSubstr(missing + ": cannot open the directory"));
  const std::string file = Copy(kAlpha, "a.so");
  EXPECT_EQ(loader.OpenDirectory(file).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PluginDirectoryTest, AnEmptyDirectoryVisitsNothing) {
  const std::string dir = Dir("empty");
  Loader loader;
  EXPECT_THAT(Names(Scan(loader, dir)), IsEmpty());
}

}  // namespace
}  // namespace preload
