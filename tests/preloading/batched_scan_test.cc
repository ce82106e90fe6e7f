// Loader::VerifyDirectory read in batches through io_uring
// (LoaderOptions::directory_reads) against the same directory read one file
// at a time: every verdict, in the same words, for every kind of entry; the
// fallback where io_uring is forbidden (a seccomp filter in a child process
// makes io_uring_setup fail with EPERM or ENOSYS) and where descriptors run
// short; no descriptor left open.
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fixture_paths.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "preload/loader.h"
#include "temp_tree.h"

namespace preload {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kAlpha = PL_ALPHA;
const std::string kLegacy = PL_LEGACY;

// Each verdict of a scan as one line: what must be identical.
using Verdicts = std::map<std::string, std::string>;

struct Scan {
  Verdicts verdicts;
  std::vector<std::string> trace;  // the verify trace's "directory reads" lines
};

Scan ScanWith(const std::string& dir, DirectoryReads reads) {
  Scan scan;
  LoaderOptions options;
  options.directory_reads = reads;
  options.trace.verify = true;
  options.trace.sink = [&scan](std::string_view line) {
    if (line.find("directory reads:") != std::string_view::npos) {
      scan.trace.emplace_back(line);
    }
  };
  Loader loader(options);
  const absl::Status status = loader.VerifyDirectory(
      dir, [&](std::string_view name, absl::StatusOr<Fingerprint> result) {
        scan.verdicts[std::string(name)] =
            result.ok() ? "accepted: " + result->Serialize()
                        : result.status().ToString();
      });
  EXPECT_TRUE(status.ok()) << status;
  return scan;
}

DirectoryReads Sequential() {
  DirectoryReads reads;
  reads.batched = false;
  return reads;
}

DirectoryReads Batched(std::size_t files, bool poll = false, bool registered = false) {
  DirectoryReads reads;
  reads.batch_files = files;
  reads.poll_submissions = poll;
  reads.register_buffers = registered;
  return reads;
}

// Reads of `bytes` per file, each file's fstat in the ring or not, the
// start-up check's ranges past them fetched or not.
DirectoryReads BatchedReading(std::size_t bytes, bool stat_in_ring, bool ranges = true) {
  DirectoryReads reads;
  reads.batch_files = 16;
  reads.read_bytes = bytes;
  reads.stat_in_ring = stat_in_ring;
  reads.read_startup_ranges = ranges;
  return reads;
}

bool UsedIoUring(const Scan& scan) {
  return !scan.trace.empty() && scan.trace.front().find(": io_uring,") != std::string::npos;
}

std::size_t OpenDescriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  fs::permissions(path, fs::perms(0644));
}

// A copy of a 64-bit plugin whose notes are moved past its first page: each
// PT_NOTE's bytes appended at the end and its p_offset pointed there.
std::string WithNotesMovedPastFirstPage(const std::string& plugin) {
  std::string bytes = ReadAll(plugin);
  Elf64_Ehdr ehdr;
  std::memcpy(&ehdr, bytes.data(), sizeof ehdr);
  bytes.resize(std::max<std::size_t>(bytes.size(), 8192));
  for (std::size_t i = 0; i < ehdr.e_phnum; ++i) {
    Elf64_Phdr phdr;
    char* at = bytes.data() + ehdr.e_phoff + i * sizeof phdr;
    std::memcpy(&phdr, at, sizeof phdr);
    if (phdr.p_type != PT_NOTE) continue;
    bytes.resize((bytes.size() + 7) / 8 * 8);
    const std::string note = bytes.substr(phdr.p_offset, phdr.p_filesz);
    phdr.p_offset = bytes.size();
    bytes += note;
    std::memcpy(at, &phdr, sizeof phdr);
  }
  return bytes;
}

class BatchedScanTest : public testing::TempTree {
 protected:
  // Every kind of entry a scan meets, and enough plain plugins that batches
  // of 16 take several submissions.
  std::string MixedDirectory() {
    const std::string dir = Dir("plugins");
    for (int i = 0; i < 40; ++i) Copy(kAlpha, "plugins/p" + std::to_string(i) + ".so");
    Copy(kLegacy, "plugins/legacy.so");
    Copy(kAlpha, "plugins/group_writable.so", 0775);
    Copy(kAlpha, "plugins/world_writable.so", 0646);
    EXPECT_EQ(::mkfifo((fs::path(dir) / "fifo.so").c_str(), 0644), 0);
    Dir("plugins/sub.so");
    const std::string alpha = ReadAll(kAlpha);
    WriteAll(dir + "/empty.so", "");
    WriteAll(dir + "/text.so", "not an ELF file\n");
    WriteAll(dir + "/short_header.so", alpha.substr(0, 40));
    WriteAll(dir + "/one_page.so", alpha.substr(0, 4096));
    WriteAll(dir + "/cut_after_page.so", alpha.substr(0, 5000));
    WriteAll(dir + "/late_note.so", WithNotesMovedPastFirstPage(kAlpha));
    // Cut where a batch's reads of 4 KiB, 16 KiB or more end, and within
    // the start-up code and the dynamic section that a read of 16 KiB holds.
    for (std::size_t size : {9000, 12288, 16000, 16384, 20000}) {
      WriteAll(dir + "/cut_" + std::to_string(size) + ".so", alpha.substr(0, size));
    }
    const std::string open = Dir("open", 0777);
    Copy(kAlpha, "open/untrusted.so");
    fs::create_symlink(fs::path(open) / "untrusted.so", fs::path(dir) / "to_untrusted.so");
    fs::create_symlink(fs::path(dir) / "p0.so", fs::path(dir) / "to_p0.so");
    fs::create_symlink(root_ / "nowhere.so", fs::path(dir) / "dangling.so");
    fs::create_symlink(fs::path(dir) / "sub.so", fs::path(dir) / "to_dir.so");
    if (::geteuid() == 0) {
      const std::string theirs = Copy(kAlpha, "plugins/theirs.so");
      EXPECT_EQ(::chown(theirs.c_str(), testing::NobodyUid(), static_cast<gid_t>(-1)), 0);
    }
    return dir;
  }
};

TEST_F(BatchedScanTest, BatchedAndSequentialReadsGiveTheSameVerdicts) {
  const std::string dir = MixedDirectory();
  ::alarm(60);  // a FIFO that blocked the scan would hang the test
  const Scan sequential = ScanWith(dir, Sequential());
  ASSERT_GE(sequential.verdicts.size(), 60u);
  EXPECT_THAT(sequential.trace, ::testing::IsEmpty());
  for (const DirectoryReads& reads :
       {Batched(64), Batched(16), Batched(1024), Batched(8, false, true),
        Batched(16, true, false), BatchedReading(4096, false), BatchedReading(4096, true),
        BatchedReading(4096, true, false), BatchedReading(8192, false),
        BatchedReading(16384, false), BatchedReading(1 << 20, true)}) {
    const Scan batched = ScanWith(dir, reads);
    if (!UsedIoUring(batched)) {
      ::alarm(0);
      GTEST_SKIP() << "io_uring is not available here: "
                   << ::testing::PrintToString(batched.trace);
    }
    EXPECT_EQ(batched.verdicts, sequential.verdicts) << batched.trace.front();
  }
  ::alarm(0);
  // Spelled out, so that both paths going wrong alike fails too.
  EXPECT_THAT(sequential.verdicts.at("p0.so"), HasSubstr("accepted: "));
  EXPECT_EQ(sequential.verdicts.at("late_note.so"), sequential.verdicts.at("p0.so"));
  EXPECT_EQ(sequential.verdicts.at("to_p0.so"), sequential.verdicts.at("p0.so"));
  EXPECT_THAT(sequential.verdicts.at("fifo.so"), HasSubstr("not a regular file"));
  EXPECT_THAT(sequential.verdicts.at("to_dir.so"), HasSubstr("not a regular file"));
  EXPECT_THAT(sequential.verdicts.at("group_writable.so"),
              HasSubstr("writable by its group"));
  EXPECT_THAT(sequential.verdicts.at("cut_after_page.so"), HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(sequential.verdicts.at("dangling.so"), HasSubstr("NOT_FOUND"));
}

TEST_F(BatchedScanTest, TrustCheckOffGivesTheSameVerdicts) {
  const std::string dir = MixedDirectory();
  auto scan = [&](DirectoryReads reads) {
    LoaderOptions options;
    options.check_file_trust = false;
    options.directory_reads = reads;
    Loader loader(options);
    Verdicts verdicts;
    EXPECT_TRUE(loader
                    .VerifyDirectory(dir,
                                     [&](std::string_view name,
                                         absl::StatusOr<Fingerprint> result) {
                                       verdicts[std::string(name)] =
                                           result.ok() ? result->Serialize()
                                                       : result.status().ToString();
                                     })
                    .ok());
    return verdicts;
  };
  ::alarm(60);
  const Verdicts sequential = scan(Sequential());
  EXPECT_EQ(scan(Batched(16)), sequential);
  ::alarm(0);
  EXPECT_THAT(sequential.at("group_writable.so"), ::testing::Not(HasSubstr("writable")));
}

TEST_F(BatchedScanTest, LeavesNoDescriptorOpen) {
  const std::string dir = MixedDirectory();
  ::alarm(60);
  const std::size_t before = OpenDescriptors();
  const Scan batched = ScanWith(dir, Batched(16));
  EXPECT_EQ(OpenDescriptors(), before) << ::testing::PrintToString(batched.trace);
  ::alarm(0);
}

TEST_F(BatchedScanTest, FewFilesAreReadOneAtATime) {
  const std::string dir = Dir("few");
  Copy(kAlpha, "few/a.so");
  Copy(kLegacy, "few/b.so");
  const Scan batched = ScanWith(dir, Batched(64));
  EXPECT_THAT(batched.trace, ::testing::IsEmpty());
  EXPECT_EQ(batched.verdicts, ScanWith(dir, Sequential()).verdicts);
}

// PluginDirectory::Prefetch (what `preload scan` uses): each later Verify
// of a prefetched name returns what Verify alone returns.
TEST_F(BatchedScanTest, PrefetchedVerdictsAreVerifysOwn) {
  const std::string dir = MixedDirectory();
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  Loader loader;
  absl::StatusOr<PluginDirectory> directory = loader.OpenDirectory(dir);
  ASSERT_TRUE(directory.ok()) << directory.status();
  ::alarm(60);
  std::map<std::string, std::string> alone;
  for (const std::string& name : names) {
    const absl::StatusOr<Fingerprint> result = directory->Verify(name);
    alone[name] = result.ok() ? result->Serialize() : result.status().ToString();
  }
  directory->Prefetch(names);
  for (const std::string& name : names) {
    const absl::StatusOr<Fingerprint> result = directory->Verify(name);
    EXPECT_EQ(result.ok() ? result->Serialize() : result.status().ToString(), alone[name])
        << name;
  }
  ::alarm(0);
}

// Close to RLIMIT_NOFILE a batch would hold descriptors a file-by-file scan
// never holds: the scan goes on file by file, with the same verdicts.
TEST_F(BatchedScanTest, ShortOfDescriptorsFallsBackWithTheSameVerdicts) {
  const std::string dir = MixedDirectory();
  ::alarm(60);
  const Scan sequential = ScanWith(dir, Sequential());
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = OpenDescriptors() + 40;  // room for a scan, not for a batch of 64
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  const Scan batched = ScanWith(dir, Batched(64));
  const Scan low_sequential = ScanWith(dir, Sequential());
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  ::alarm(0);
  EXPECT_EQ(low_sequential.verdicts, sequential.verdicts);
  EXPECT_EQ(batched.verdicts, sequential.verdicts);
  if (UsedIoUring(batched)) {
    EXPECT_THAT(batched.trace.back(), HasSubstr("short of file descriptors"));
  }
}

// Makes io_uring_setup fail with `error` in this process, as seccomp
// profiles of container runtimes do.
bool ForbidIoUring(int error) {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | static_cast<uint32_t>(error)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

// The batched scan in a child process that may not use io_uring: its
// verdicts, one per line, and its trace, written back through a pipe.
std::string ScanForbidden(const std::string& dir, int error) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    std::string out;
    if (!ForbidIoUring(error)) {
      out = "seccomp failed";
    } else {
      const Scan scan = ScanWith(dir, Batched(16));
      for (const std::string& line : scan.trace) out += "trace " + line + "\n";
      for (const auto& [name, verdict] : scan.verdicts) out += name + " " + verdict + "\n";
    }
    const bool written = ::write(pipe_fds[1], out.data(), out.size()) ==
                         static_cast<ssize_t>(out.size());
    ::_exit(written ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? out : "child failed: " + out;
}

TEST_F(BatchedScanTest, ForbiddenIoUringFallsBackWithTheSameVerdicts) {
  const std::string dir = MixedDirectory();
  ::alarm(60);
  std::string expected;
  for (const auto& [name, verdict] : ScanWith(dir, Sequential()).verdicts) {
    expected += name + " " + verdict + "\n";
  }
  for (const auto& [error, words] : {std::pair{EPERM, "Operation not permitted"},
                                     std::pair{ENOSYS, "Function not implemented"}}) {
    const std::string out = ScanForbidden(dir, error);
    ASSERT_EQ(out.compare(0, 6, "trace "), 0) << out;
    const std::size_t end_of_trace = out.find('\n');
    EXPECT_THAT(out.substr(0, end_of_trace),
                HasSubstr(dir + ": directory reads: one file at a time (io_uring "
                          "cannot be set up here: " + words + ")"));
    EXPECT_EQ(out.substr(end_of_trace + 1), expected) << words;
  }
  ::alarm(0);
}

}  // namespace
}  // namespace preload
