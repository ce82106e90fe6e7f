// A sweep of the machine's real shared objects: the note reader, run over
// every ELF *.so / *.so.* file under /usr/lib, never crashes and never
// refuses one; the loader reports each as not a PreloadSDK plugin; and the
// GNU build-id the reader finds is the one binutils' `readelf -n` prints, for
// every file (readelf runs once per batch of files: the whole sweep takes a
// few seconds, so no sampling is needed).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "hardening_support.h"
#include "preload/elf_notes.h"
#include "preload/fingerprint.h"
#include "preload/loader.h"

namespace preload::hardening {
namespace {

constexpr char kRoot[] = "/usr/lib";
// A bound on the sweep, far above a Debian system's count (about 1,200 on
// the CI image), so a huge /usr/lib cannot make the test run for hours.
constexpr std::size_t kMaxFiles = 20000;
constexpr uint32_t kGnuBuildId = 3;  // NT_GNU_BUILD_ID
constexpr std::size_t kReadelfBatch = 200;

bool LooksLikeSharedObject(const std::string& name) {
  const std::size_t so = name.find(".so");
  return so != std::string::npos &&
         (so + 3 == name.size() || name[so + 3] == '.');
}

bool StartsWithElfMagic(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  char magic[4] = {};
  const bool elf = ::pread(fd, magic, 4, 0) == 4 &&
                   std::string(magic, 4) == "\x7f" "ELF";
  ::close(fd);
  return elf;
}

// Every regular ELF file named like a shared object, once per inode
// (symlinks and hard links to the same library are one file), sorted.
std::vector<std::string> SharedObjects() {
  std::vector<std::string> files;
  std::set<std::pair<dev_t, ino_t>> seen;
  namespace fs = std::filesystem;
  std::error_code error;
  for (fs::recursive_directory_iterator it(
           kRoot, fs::directory_options::skip_permission_denied, error), end;
       it != end && files.size() < kMaxFiles; it.increment(error)) {
    if (error) break;
    if (it->is_symlink() || !it->is_regular_file()) continue;
    const std::string path = it->path().string();
    if (!LooksLikeSharedObject(it->path().filename().string())) continue;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) continue;
    if (!seen.insert({info.st_dev, info.st_ino}).second) continue;
    if (StartsWithElfMagic(path)) files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ToHex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

// Runs argv (no shell, so any file name is safe) and returns its stdout.
std::string Capture(const std::vector<std::string>& args) {
  int out[2];
  if (::pipe(out) != 0) return "";
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 2);
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buffer[65536];
  ssize_t n;
  while ((n = ::read(out[0], buffer, sizeof buffer)) > 0) text.append(buffer, n);
  ::close(out[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return text;
}

// readelf's build-ids, file -> hex ("" when it prints none). With several
// files readelf starts each one's output with "File: <path>".
std::map<std::string, std::string> ReadelfBuildIds(
    const std::vector<std::string>& files) {
  std::map<std::string, std::string> ids;
  for (std::size_t first = 0; first < files.size(); first += kReadelfBatch) {
    std::vector<std::string> args = {"readelf", "-n", "-W"};
    const std::size_t last = std::min(files.size(), first + kReadelfBatch);
    args.insert(args.end(), files.begin() + first, files.begin() + last);
    // Always at least two files, so that every output is headed by its name.
    if (last - first == 1) args.push_back(files[first]);
    std::istringstream out(Capture(args));
    std::string line, current;
    while (std::getline(out, line)) {
      if (line.rfind("File: ", 0) == 0) {
        current = line.substr(6);
        ids.emplace(current, "");
        continue;
      }
      const std::size_t at = line.find("Build ID: ");
      if (at != std::string::npos && !current.empty() && ids[current].empty()) {
        std::istringstream hex(line.substr(at + 10));
        hex >> ids[current];
      }
    }
  }
  return ids;
}

class RealWorldSweepTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { files_ = new std::vector<std::string>(SharedObjects()); }
  static void TearDownTestSuite() { delete files_; }
  static std::vector<std::string>* files_;
};
std::vector<std::string>* RealWorldSweepTest::files_ = nullptr;

TEST_F(RealWorldSweepTest, FindsSharedObjectsToSweep) {
  // libc and libstdc++ alone are under /usr/lib on any system that built us.
  EXPECT_GE(files_->size(), 10u);
  std::printf("sweeping %zu ELF shared objects under %s\n", files_->size(), kRoot);
}

TEST_F(RealWorldSweepTest, ReaderReadsEveryOneAndFindsNoFingerprint) {
  int failures = 0;
  for (const std::string& path : *files_) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ASSERT_GE(fd, 0) << path;
    absl::StatusOr<std::vector<ElfNote>> notes = ReadElfNotes(fd, path);
    ::close(fd);
    if (!notes.ok()) {
      ADD_FAILURE() << notes.status();
      if (++failures == 20) return;
      continue;
    }
    for (const ElfNote& note : *notes) {
      EXPECT_FALSE(note.owner == kNoteOwner && note.type == kNoteType) << path;
    }
  }
}

TEST_F(RealWorldSweepTest, LoaderReportsEachAsNotAPreloadSdkPlugin) {
  Loader loader;
  int failures = 0;
  for (const std::string& path : *files_) {
    absl::StatusOr<Fingerprint> verified = loader.Verify(path);
    const bool reported =
        !verified.ok() &&
        verified.status().code() == absl::StatusCode::kInvalidArgument &&
        verified.status().message().find("not a PreloadSDK plugin") !=
            std::string::npos;
    if (!reported) {
      ADD_FAILURE() << path << ": "
                    << (verified.ok() ? "verified" : verified.status().ToString());
      if (++failures == 20) return;
    }
  }
  EXPECT_TRUE(loader.plugins().empty());
}

TEST_F(RealWorldSweepTest, GnuBuildIdsAgreeWithReadelf) {
  const std::map<std::string, std::string> readelf = ReadelfBuildIds(*files_);
  ASSERT_EQ(readelf.size(), files_->size()) << "readelf skipped some files";
  std::size_t with_id = 0;
  int failures = 0;
  for (const std::string& path : *files_) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ASSERT_GE(fd, 0) << path;
    absl::StatusOr<std::vector<ElfNote>> ids =
        FindElfNotes(fd, path, "GNU", kGnuBuildId);
    ::close(fd);
    ASSERT_TRUE(ids.ok()) << ids.status();
    const std::string ours = ids->empty() ? "" : ToHex(ids->front().desc);
    with_id += !ours.empty();
    if (ours != readelf.at(path)) {
      ADD_FAILURE() << path << ": we read \"" << ours << "\", readelf \""
                    << readelf.at(path) << "\"";
      if (++failures == 20) return;
    }
  }
  // Debian builds every library with a build-id; a sweep that found none
  // would compare nothing.
  EXPECT_GE(with_id, files_->size() / 2);
  std::printf("%zu of %zu files have a GNU build-id; all agree with readelf\n",
              with_id, files_->size());
}

}  // namespace
}  // namespace preload::hardening
