// The loader's start-up preloading options, in-process: where a bare name is
// searched, which files are refused as untrusted, what the trace says, and the
// process-wide list of loaded plugins.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "fixture_paths.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "preload/process.h"
#include "temp_tree.h"

namespace preload {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kAlpha = PL_ALPHA;

using testing::MessageOf;
using testing::NobodyUid;

// A fresh tree under /tmp, with copies of pl_alpha in it.
class TempTree : public testing::TempTree {
 protected:
  // A copy of pl_alpha at root_/<relative> (directories made 0755).
  std::string CopyAlpha(const std::string& relative, mode_t mode = 0755) {
    return Copy(kAlpha, relative, mode);
  }
};

bool RunningAsRoot() { return ::geteuid() == 0; }

// ---- search path ----------------------------------------------------------

using SearchTest = TempTree;

TEST_F(SearchTest, BareNameIsSearchedInSearchPathOrder) {
  const std::string first = CopyAlpha("one/pl_alpha.so");
  const std::string second = CopyAlpha("two/pl_alpha.so");
  LoaderOptions options;
  options.search_path = {(root_ / "two").string(), (root_ / "one").string()};
  Loader loader(options);
  absl::StatusOr<Plugin*> plugin = loader.Open("pl_alpha");
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ((*plugin)->path(), second);
  EXPECT_EQ(*loader.Resolve("pl_alpha"), second);
  options.search_path = {(root_ / "one").string(), (root_ / "two").string()};
  EXPECT_EQ(*Loader(options).Resolve("pl_alpha"), first);
}

TEST_F(SearchTest, BareNameMayCarryTheSoSuffix) {
  const std::string file = CopyAlpha("one/pl_alpha.so");
  LoaderOptions options;
  options.search_path = {(root_ / "one").string()};
  EXPECT_EQ(*Loader(options).Resolve("pl_alpha.so"), file);
}

TEST_F(SearchTest, CandidateThatIsNotARegularFileIsSkipped) {
  Dir("one/pl_alpha.so", 0755);  // a directory with the plugin's file name
  const std::string file = CopyAlpha("two/pl_alpha.so");
  LoaderOptions options;
  options.search_path = {(root_ / "one").string(), (root_ / "two").string()};
  EXPECT_EQ(*Loader(options).Resolve("pl_alpha"), file);
}

TEST_F(SearchTest, NameWithASlashIsAPathAndNotSearched) {
  CopyAlpha("one/pl_alpha.so");
  LoaderOptions options;
  options.search_path = {(root_ / "one").string()};
  absl::StatusOr<std::string> path = Loader(options).Resolve("./pl_alpha.so");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, "./pl_alpha.so");
}

TEST_F(SearchTest, NotFoundNamesEveryCandidateAndTheFix) {
  LoaderOptions options;
  options.search_path = {(root_ / "empty").string()};
  Loader loader(options);
  absl::StatusOr<Plugin*> plugin = loader.Open("pl_nowhere");
  ASSERT_EQ(plugin.status().code(), absl::StatusCode::kNotFound);
  const std::string message = MessageOf(plugin.status());
  EXPECT_THAT(message, HasSubstr((root_ / "empty" / "pl_nowhere.so").string()));
  EXPECT_THAT(message, HasSubstr("$ORIGIN/../lib/preload"));
  EXPECT_THAT(message, HasSubstr("$ORIGIN/../lib/x86_64-linux-gnu/preload"));
  EXPECT_THAT(message, HasSubstr("PRELOAD_PLUGIN_PATH"));
}

TEST_F(SearchTest, WithoutDefaultsOnlyTheSearchPathIsSearched) {
  LoaderOptions options;
  options.search_path = {(root_ / "empty").string()};
  options.default_search_path = false;
  absl::StatusOr<std::string> path = Loader(options).Resolve("pl_nowhere");
  ASSERT_EQ(path.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(MessageOf(path.status()), Not(HasSubstr("$ORIGIN")));
}

// The host's own prefix, in both layouts GNUInstallDirs gives it; no
// directory fixed when the SDK was built.
TEST(DefaultDirectoriesTest, AreOriginLibThenOriginMultiarchLib) {
  char exe[4096];
  const ssize_t length = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  ASSERT_GT(length, 0);
  const fs::path prefix = fs::path(std::string(exe, length)).parent_path() / "..";
  EXPECT_THAT(DefaultPluginDirectories(),
              ElementsAre((prefix / "lib" / "preload").lexically_normal().string(),
                          (prefix / "lib" / "x86_64-linux-gnu" / "preload")
                              .lexically_normal()
                              .string()));
}

// ---- file trust -----------------------------------------------------------

using TrustTest = TempTree;

TEST_F(TrustTest, PluginInATrustedTreeLoads) {
  const std::string file = CopyAlpha("ok/pl_alpha.so", 0755);
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(file);
  EXPECT_TRUE(plugin.ok()) << plugin.status();
}

TEST_F(TrustTest, GroupWritableFileIsRefused) {
  const std::string file = CopyAlpha("ok/pl_alpha.so", 0775);
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(file);
  ASSERT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(MessageOf(plugin.status()),
              AllOf(HasSubstr(file), HasSubstr("writable by its group"),
                    HasSubstr("0775"), HasSubstr("chmod go-w")));
  EXPECT_TRUE(loader.plugins().empty());
}

TEST_F(TrustTest, VerifyRefusesWhatOpenRefuses) {
  const std::string file = CopyAlpha("ok/pl_alpha.so", 0757);
  absl::StatusOr<Fingerprint> verified = Loader().Verify(file);
  ASSERT_EQ(verified.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(MessageOf(verified.status()), HasSubstr("writable by others"));
}

TEST_F(TrustTest, DirectoryWritableByOthersIsRefused) {
  const std::string file = CopyAlpha("open/pl_alpha.so", 0755);
  Dir("open", 0777);
  absl::StatusOr<Plugin*> plugin = Loader().Open(file);
  ASSERT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(MessageOf(plugin.status()),
              AllOf(HasSubstr("the directory " + (root_ / "open").string()),
                    HasSubstr("writable by others"), HasSubstr("not sticky")));
}

TEST_F(TrustTest, GroupWritableDirectoryIsRefused) {
  const std::string file = CopyAlpha("group/pl_alpha.so", 0755);
  Dir("group", 0775);
  absl::StatusOr<Plugin*> plugin = Loader().Open(file);
  ASSERT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(MessageOf(plugin.status()), HasSubstr("writable by its group"));
}

// A tree made under umask 002: every problem in one refusal, and the one
// command that fixes them all.
TEST_F(TrustTest, EveryProblemOfATreeIsNamedAtOnce) {
  const std::string file = CopyAlpha("umask002/sub/pl_alpha.so", 0664);
  Dir("umask002/sub", 0775);
  Dir("umask002", 0775);
  absl::StatusOr<Plugin*> plugin = Loader().Open(file);
  ASSERT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied);
  const std::string top = (root_ / "umask002").string();
  EXPECT_THAT(MessageOf(plugin.status()),
              AllOf(HasSubstr("3 problems: (1) the directory " + top +
                              " is writable by its group"),
                    HasSubstr("(2) the directory " + top + "/sub is writable"),
                    HasSubstr("(3) the file is writable by its group (mode 0664)"),
                    HasSubstr("all at once: chmod -R go-w " + top)));
}

TEST_F(TrustTest, StickyWorldWritableDirectoryIsAccepted) {
  const std::string file = CopyAlpha("sticky/pl_alpha.so", 0755);
  Dir("sticky", 01777);
  absl::StatusOr<Plugin*> plugin = Loader().Open(file);
  EXPECT_TRUE(plugin.ok()) << plugin.status();
}

TEST_F(TrustTest, ASymlinkIsJudgedByWhereItLeads) {
  const std::string file = CopyAlpha("ok/pl_alpha.so", 0755);
  const std::string open = Dir("open", 0777);
  fs::create_symlink(file, fs::path(open) / "link.so");
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(open + "/link.so");
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ((*plugin)->path(), file);
}

// The walk takes a plain absolute path as given; any other spelling is
// judged by the real path the kernel names.
TEST_F(TrustTest, ADirectorySymlinkIsJudgedByWhereItLeads) {
  const std::string file = CopyAlpha("ok/pl_alpha.so", 0755);
  const std::string open = Dir("open", 0777);
  fs::create_directory_symlink(root_ / "ok", fs::path(open) / "dir");
  Loader loader;
  absl::StatusOr<Plugin*> plugin = loader.Open(open + "/dir/pl_alpha.so");
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ((*plugin)->path(), file);
}

TEST_F(TrustTest, DotDotIsJudgedByTheRealPath) {
  const std::string file = CopyAlpha("ok/pl_alpha.so", 0755);
  Dir("open", 0777);
  Loader loader;
  absl::StatusOr<Plugin*> plugin =
      loader.Open((root_ / "open" / ".." / "ok" / "pl_alpha.so").string());
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ((*plugin)->path(), file);
}

TEST_F(TrustTest, ARelativePathIsJudgedByTheRealPath) {
  const std::string file = CopyAlpha("open/pl_alpha.so", 0755);
  Dir("open", 0777);
  const fs::path before = fs::current_path();
  fs::current_path(root_);
  absl::StatusOr<Plugin*> plugin = Loader().Open("open/pl_alpha.so");
  fs::current_path(before);
  ASSERT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(MessageOf(plugin.status()),
              HasSubstr("the directory " + (root_ / "open").string()));
}

TEST_F(TrustTest, FileOwnedByAnotherUserIsRefused) {
  if (!RunningAsRoot()) GTEST_SKIP() << "needs root to chown a file to nobody";
  const std::string file = CopyAlpha("ok/pl_alpha.so", 0755);
  ASSERT_EQ(::chown(file.c_str(), NobodyUid(), static_cast<gid_t>(-1)), 0);
  absl::StatusOr<Plugin*> plugin = Loader().Open(file);
  ASSERT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(MessageOf(plugin.status()),
              AllOf(HasSubstr("owned by uid " + std::to_string(NobodyUid())),
                    HasSubstr("neither root nor this process's user")));
}

TEST_F(TrustTest, FileOfAnotherUserInAStickyDirectoryIsRefused) {
  if (!RunningAsRoot()) GTEST_SKIP() << "needs root to chown a file to nobody";
  const std::string file = CopyAlpha("sticky/pl_alpha.so", 0755);
  Dir("sticky", 01777);
  ASSERT_EQ(::chown(file.c_str(), NobodyUid(), static_cast<gid_t>(-1)), 0);
  EXPECT_EQ(Loader().Open(file).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(TrustTest, DirectoryOwnedByAnotherUserIsRefused) {
  if (!RunningAsRoot()) GTEST_SKIP() << "needs root to chown a directory to nobody";
  const std::string file = CopyAlpha("theirs/pl_alpha.so", 0755);
  const std::string dir = Dir("theirs", 0755);
  ASSERT_EQ(::chown(dir.c_str(), NobodyUid(), static_cast<gid_t>(-1)), 0);
  absl::StatusOr<Plugin*> plugin = Loader().Open(file);
  ASSERT_EQ(plugin.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(MessageOf(plugin.status()),
              HasSubstr("the directory " + dir + " is owned by uid"));
}

TEST_F(TrustTest, TheCheckCanBeTurnedOffForDevelopmentTrees) {
  const std::string file = CopyAlpha("open/pl_alpha.so", 0777);
  Dir("open", 0777);
  LoaderOptions options;
  options.check_file_trust = false;
  absl::StatusOr<Plugin*> plugin = Loader(options).Open(file);
  EXPECT_TRUE(plugin.ok()) << plugin.status();
}

// ---- trace ----------------------------------------------------------------

using TraceTest = TempTree;

TEST_F(TraceTest, EveryStepIsTracedToTheSink) {
  std::vector<std::string> lines;
  LoaderOptions options;
  options.search_path = {(root_ / "empty").string(), PL_PLUGIN_DIR};
  options.trace.search = options.trace.verify = options.trace.load = true;
  options.trace.sink = [&lines](std::string_view line) { lines.emplace_back(line); };
  Loader loader(options);
  ASSERT_TRUE(loader.Open("pl_alpha").ok());
  const std::string skipped = "preload: search:   trying " +
                              (root_ / "empty" / "pl_alpha.so").string() +
                              " (search path): skipped: no such file";
  EXPECT_THAT(lines, Contains(skipped));
  EXPECT_THAT(lines, Contains("preload: search:   trying " + kAlpha +
                              " (search path): taken"));
  EXPECT_THAT(lines, Contains(AllOf(HasSubstr("preload: verify: " + kAlpha +
                                              ": file trust: the file"))));
  // Every field compared, each with both values.
  EXPECT_THAT(lines, Contains("preload: verify:   sdk.abi: equal (plugin \"1\", host \"1\")"));
  EXPECT_THAT(lines, Contains(HasSubstr("preload: verify:   layout.std_string: equal")));
  EXPECT_THAT(lines, Contains(HasSubstr("preload: verify:   flags.cxx: info")));
  EXPECT_THAT(lines, Contains(AllOf(HasSubstr(kAlpha + ": fingerprint accepted"),
                                    HasSubstr("0 refused"))));
  EXPECT_THAT(lines, Contains(HasSubstr("preload: load: " + kAlpha +
                                        ": mapping the verified descriptor through /proc/self/fd/")));
  EXPECT_THAT(lines, Contains(HasSubstr("loaded plugin 'pl_alpha' 1.0.0 into loader 'loader'")));
}

TEST_F(TraceTest, ARefusalIsTracedFieldByField) {
  std::vector<std::string> lines;
  LoaderOptions options;
  options.trace.verify = true;
  options.trace.sink = [&lines](std::string_view line) { lines.emplace_back(line); };
  Loader loader(options);
  ASSERT_FALSE(loader.Open(PL_LEGACY).ok());
  EXPECT_THAT(lines, Contains(HasSubstr(
                         "glibcxx.cxx11_abi: refused (plugin \"0\", host \"1\"); rebuild")));
  EXPECT_THAT(lines, Contains(HasSubstr("fingerprint refused")));
}

TEST_F(TraceTest, CategoriesThatAreOffSayNothing) {
  std::vector<std::string> lines;
  LoaderOptions options;
  options.trace.search = true;
  options.trace.sink = [&lines](std::string_view line) { lines.emplace_back(line); };
  options.search_path = {PL_PLUGIN_DIR};
  Loader loader(options);
  ASSERT_TRUE(loader.Open("pl_alpha").ok());
  ASSERT_THAT(lines, Not(IsEmpty()));
  for (const std::string& line : lines) EXPECT_THAT(line, HasSubstr("preload: search: "));
}

// ---- the process's plugins ------------------------------------------------

TEST(ProcessPluginsTest, ListsThePluginsOfEveryLiveLoader) {
  LoaderOptions options;
  options.name = "first";
  auto first = std::make_unique<Loader>(options);
  ASSERT_TRUE(first->Open(kAlpha).ok());
  options.name = "second";
  options.policy = Policy::kCompatible;
  Loader second(options);
  ASSERT_TRUE(second.Open(PL_BETA).ok());

  std::vector<std::string> seen;
  for (const LoadedPlugin& plugin : LoadedPlugins()) {
    seen.push_back(plugin.loader + ":" + std::string(plugin.fingerprint.name()) +
                   ":" + std::string(PolicyName(plugin.policy)));
  }
  EXPECT_THAT(seen, ElementsAre("first:pl_alpha:strict", "second:pl_beta:compatible"));
  // The list keeps each payload as read from the note: the same fields.
  const Fingerprint& alpha = (*first->plugins().front()).fingerprint();
  EXPECT_EQ(LoadedPlugins().front().fingerprint.Serialize(), alpha.Serialize());

  // What a plugin sees, through the symbol the executable exports.
  absl::StatusOr<std::vector<ProcessPlugin>> exported = ProcessPlugins();
  ASSERT_TRUE(exported.ok()) << exported.status();
  ASSERT_EQ(exported->size(), 2u);
  EXPECT_EQ((*exported)[0].Field("name"), "pl_alpha");
  EXPECT_EQ((*exported)[0].Field("kind"), "plugin");
  EXPECT_EQ((*exported)[0].loader, "first");
  EXPECT_EQ((*exported)[0].path, kAlpha);
  EXPECT_EQ((*exported)[1].policy, "compatible");
  EXPECT_THAT((*exported)[1].host_fingerprint,
              Contains(std::make_pair(std::string("name"),
                                      std::string("preloading_loader_test"))));

  first.reset();  // its plugins stay mapped, but leave the list
  seen.clear();
  for (const LoadedPlugin& plugin : LoadedPlugins()) seen.push_back(plugin.loader);
  EXPECT_THAT(seen, ElementsAre("second"));
}

}  // namespace
}  // namespace preload
