// The bytes that run are the bytes that were verified (docs/security.md):
// the plugin file is renamed over, rewritten in place or truncated between
// the loader's verification and its mapping, and the loaded code must be the
// verified build or the load refused. The loader's own trace lines mark the
// moments: a trace sink changes the file when the loader announces a step.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "fixture_paths.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hardening_support.h"
#include "preload/loader.h"

namespace preload::hardening {
namespace {

using ::testing::HasSubstr;

// Trace lines that announce the moments a test changes the file at.
constexpr char kAfterOpening[] = ": file trust:";  // opened, not yet read
constexpr char kBeforeMapping[] = ": mapping the verified";

struct Moment {
  const char* announced_by;
  std::function<void()> change;
};

// A loader whose trace sink makes `moment.change` happen once, when a trace
// line contains `moment.announced_by`.
std::unique_ptr<Loader> LoaderWith(bool sealed_copy, Moment moment) {
  LoaderOptions options;
  options.sealed_copy = sealed_copy;
  options.trace.verify = true;
  options.trace.load = true;
  auto done = std::make_shared<bool>(false);
  options.trace.sink = [moment, done](std::string_view line) {
    if (*done || line.find(moment.announced_by) == std::string_view::npos) return;
    *done = true;
    moment.change();
  };
  return std::make_unique<Loader>(std::move(options));
}

// A scratch directory holding plugin.so, a copy of build 1, last changed an
// hour ago as an installed plugin would be (so that a change made by a test
// always moves its times, whatever the clock's granularity).
class FileRaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    build1_ = ReadBytes(HX_RACE_1);
    build2_ = ReadBytes(HX_RACE_2);
    ASSERT_FALSE(build1_.empty());
    ASSERT_FALSE(build2_.empty());
    ASSERT_TRUE(WriteBytes(path_, build1_));
    const struct timespec an_hour_ago[2] = {{::time(nullptr) - 3600, 0},
                                            {::time(nullptr) - 3600, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path_.c_str(), an_hour_ago, 0), 0);
  }

  // Build 2 renamed over plugin.so, as an installer replaces a file.
  void RenameBuild2Over() {
    const std::string staged = dir_ / "staged.so";
    ASSERT_TRUE(WriteBytes(staged, build2_));
    ASSERT_EQ(std::rename(staged.c_str(), path_.c_str()), 0);
  }
  void RewriteWithBuild2() { ASSERT_TRUE(RewriteBytes(path_, build2_)); }
  void Truncate() { ASSERT_EQ(::truncate(path_.c_str(), 64), 0); }

  // Which build the loaded plugin's code is, -1 if Id cannot be called.
  static int IdOf(const Plugin& plugin) {
    absl::StatusOr<int (*)()> id = plugin.Lookup<int()>("Id");
    return id.ok() ? (**id)() : -1;
  }

  ScratchDir dir_;
  const std::string path_ = dir_ / "plugin.so";
  std::string build1_;
  std::string build2_;
};

// The file's inode was verified and is what is mapped, whatever the path
// names by then.
TEST_F(FileRaceTest, RenamedOverBeforeMappingLoadsTheVerifiedFile) {
  auto loader = LoaderWith(false, {kBeforeMapping, [this] { RenameBuild2Over(); }});
  absl::StatusOr<Plugin*> plugin = loader->Open(path_);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ((*plugin)->name(), "hx_race_1");
  EXPECT_EQ(IdOf(**plugin), 1);
  EXPECT_FALSE(IsMapped(path_)) << "build 2, now at the path, was mapped";
}

TEST_F(FileRaceTest, RewrittenInPlaceBeforeMappingIsRefused) {
  auto loader = LoaderWith(false, {kBeforeMapping, [this] { RewriteWithBuild2(); }});
  absl::StatusOr<Plugin*> plugin = loader->Open(path_);
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(plugin.status().message(), HasSubstr("changed after it was verified"));
  EXPECT_FALSE(IsMapped(path_));
  EXPECT_TRUE(loader->plugins().empty());
}

TEST_F(FileRaceTest, TruncatedBeforeMappingIsRefused) {
  auto loader = LoaderWith(false, {kBeforeMapping, [this] { Truncate(); }});
  absl::StatusOr<Plugin*> plugin = loader->Open(path_);
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(plugin.status().message(), HasSubstr("size"));
  EXPECT_FALSE(IsMapped(path_));
}

// Changed after the loader's fstat but before its note was read: the note
// read is build 2's, yet the file is not the one that was opened and checked.
TEST_F(FileRaceTest, RewrittenBeforeTheNoteIsReadIsRefused) {
  auto loader = LoaderWith(false, {kAfterOpening, [this] { RewriteWithBuild2(); }});
  absl::StatusOr<Plugin*> plugin = loader->Open(path_);
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kAborted);
  EXPECT_FALSE(IsMapped(path_));
}

// A refusal for a change is not remembered: once the file is complete again,
// it loads.
TEST_F(FileRaceTest, OpensOnceTheChangedFileIsComplete) {
  auto loader = LoaderWith(false, {kBeforeMapping, [this] { RewriteWithBuild2(); }});
  ASSERT_FALSE(loader->Open(path_).ok());
  absl::StatusOr<Plugin*> plugin = loader->Open(path_);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ(IdOf(**plugin), 2);
}

TEST_F(FileRaceTest, SealedCopyRewrittenBeforeMappingLoadsTheVerifiedCopy) {
  auto loader = LoaderWith(true, {kBeforeMapping, [this] { RewriteWithBuild2(); }});
  absl::StatusOr<Plugin*> plugin = loader->Open(path_);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ((*plugin)->name(), "hx_race_1");
  EXPECT_EQ(IdOf(**plugin), 1);
  EXPECT_EQ((*plugin)->path(), RealPathOf(path_));
  EXPECT_FALSE(IsMapped(path_)) << "the file itself must never be mapped";
}

TEST_F(FileRaceTest, SealedCopyTruncatedBeforeMappingLoadsTheVerifiedCopy) {
  auto loader = LoaderWith(true, {kBeforeMapping, [this] { Truncate(); }});
  absl::StatusOr<Plugin*> plugin = loader->Open(path_);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ(IdOf(**plugin), 1);
}

TEST_F(FileRaceTest, SealedCopyRenamedOverBeforeMappingLoadsTheVerifiedCopy) {
  auto loader = LoaderWith(true, {kBeforeMapping, [this] { RenameBuild2Over(); }});
  absl::StatusOr<Plugin*> plugin = loader->Open(path_);
  ASSERT_TRUE(plugin.ok()) << plugin.status();
  EXPECT_EQ(IdOf(**plugin), 1);
}

// A copy taken from a file that changed while it was being copied could mix
// two builds: dropped.
TEST_F(FileRaceTest, SealedCopyOfAFileChangedWhileCopiedIsRefused) {
  auto loader = LoaderWith(true, {kAfterOpening, [this] { RewriteWithBuild2(); }});
  absl::StatusOr<Plugin*> plugin = loader->Open(path_);
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(plugin.status().message(),
              HasSubstr("changed while it was being copied"));
}

// The descriptors of this process's sealed copies of files named like `path`.
std::vector<int> SealedCopyDescriptors(const std::string& path) {
  const std::string name =
      "/memfd:preload:" + std::filesystem::path(path).filename().string();
  std::vector<int> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const std::string target = std::filesystem::read_symlink(entry.path(), error);
    if (!error && target.rfind(name, 0) == 0) {
      found.push_back(std::stoi(entry.path().filename().string()));
    }
  }
  return found;
}

TEST_F(FileRaceTest, SealedCopyCannotBeWrittenToByAnyone) {
  const std::vector<int> before = SealedCopyDescriptors(path_);
  auto loader = LoaderWith(true, {kBeforeMapping, [] {}});
  ASSERT_TRUE(loader->Open(path_).ok());
  const std::vector<int> after = SealedCopyDescriptors(path_);
  ASSERT_EQ(after.size(), before.size() + 1)
      << "no new /memfd:preload:plugin.so among this process's descriptors";
  int fd = -1;
  for (int candidate : after) {
    if (std::find(before.begin(), before.end(), candidate) == before.end()) fd = candidate;
  }
  EXPECT_EQ(::fcntl(fd, F_GET_SEALS),
            F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  EXPECT_EQ(::pwrite(fd, "x", 1, 0), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_NE(::ftruncate(fd, 0), 0);
  EXPECT_NE(::fcntl(fd, F_ADD_SEALS, 0), 0) << "the seals themselves are sealed";
}

// Verify maps nothing, so it reads the file itself: no copy is made.
TEST_F(FileRaceTest, VerifyMakesNoSealedCopy) {
  const size_t before = SealedCopyDescriptors(path_).size();
  auto loader = LoaderWith(true, {kBeforeMapping, [] {}});
  ASSERT_TRUE(loader->Verify(path_).ok());
  EXPECT_EQ(SealedCopyDescriptors(path_).size(), before);
}

// Builds 1 and 2 replace each other through rename, as installers do, as
// fast as they can while plugins are opened: every load must succeed, and
// the fingerprint and the code that runs must come from the same build.
class AtomicReplacementTest : public FileRaceTest,
                              public ::testing::WithParamInterface<bool> {};

TEST_P(AtomicReplacementTest, FingerprintAndCodeAlwaysAgree) {
  std::atomic<bool> stop{false};
  std::atomic<int> installs{0};
  std::thread installer([this, &stop, &installs] {
    const std::string staged = dir_ / "staged.so";
    for (int round = 0; !stop.load(); ++round) {
      if (!WriteBytes(staged, round % 2 ? build1_ : build2_)) return;
      if (std::rename(staged.c_str(), path_.c_str()) != 0) return;
      ++installs;
    }
  });
  struct JoinAtExit {  // also when an assertion returns early
    std::atomic<bool>& stop;
    std::thread& thread;
    ~JoinAtExit() {
      stop = true;
      thread.join();
    }
  } join{stop, installer};
  int ones = 0;
  int loads = 0;
  // At least 40 loads and 40 installs, within 200 loads: a plugin loaded
  // stays loaded, with its descriptor.
  for (; (loads < 40 || installs.load() < 40) && loads < 200; ++loads) {
    LoaderOptions options;
    options.sealed_copy = GetParam();
    // The trust check refuses a file the path no longer names by the end of
    // its walk; off here, so that every load must succeed.
    options.check_file_trust = false;
    Loader loader(std::move(options));  // a fresh loader: both builds are loaded
    absl::StatusOr<Plugin*> plugin = loader.Open(path_);
    ASSERT_TRUE(plugin.ok()) << plugin.status();
    const int id = IdOf(**plugin);
    EXPECT_EQ((*plugin)->name(), id == 1 ? "hx_race_1" : "hx_race_2") << "id " << id;
    ones += id == 1;
  }
  std::printf("loads of build 1: %d of %d, while %d installs\n", ones, loads,
              installs.load());
}

INSTANTIATE_TEST_SUITE_P(Modes, AtomicReplacementTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "SealedCopy" : "Descriptor";
                         });

}  // namespace
}  // namespace preload::hardening
