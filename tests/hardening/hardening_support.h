// Helpers shared by the hardening tests: scratch files, what the process has
// mapped, and running a step in a child process under a time limit.
#ifndef TESTS_HARDENING_HARDENING_SUPPORT_H_
#define TESTS_HARDENING_HARDENING_SUPPORT_H_

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>

#include "mapping_probe.h"

namespace preload::hardening {

inline std::string ReadBytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)),
                     std::istreambuf_iterator<char>());
}

inline bool WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(file.flush());
}

// Makes the file at `path` hold exactly `bytes`, rewriting it in place. Not
// with O_TRUNC: ext4 flushes a file truncated to zero and rewritten when it
// is closed, which costs milliseconds per write, and the hostile-files test
// writes thousands.
inline bool RewriteBytes(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool ok =
      ::pwrite(fd, bytes.data(), bytes.size(), 0) ==
          static_cast<ssize_t>(bytes.size()) &&
      ::ftruncate(fd, static_cast<off_t>(bytes.size())) == 0;
  return ::close(fd) == 0 && ok;
}

// A private directory under $TMPDIR (or /tmp), removed with its contents.
class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp && *tmp ? tmp : "/tmp") + "/preload-hardening.XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  bool ok() const { return !path_.empty(); }
  std::string operator/(const std::string& name) const {
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

using ::preload::testing::IsMapped;
using ::preload::testing::RealPathOf;

// Runs `body` in a child process and returns its exit code; -1 if it did not
// finish within `limit` (it is then killed), -2 if it died of a signal or
// could not be started. For steps that might block forever or crash.
inline int RunInChild(const std::function<int()>& body,
                      std::chrono::seconds limit) {
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) return -2;
  if (child == 0) {
    ::alarm(static_cast<unsigned>(limit.count()) + 5);  // a second guard
    const int code = body();
    std::fflush(nullptr);
    ::_exit(code);
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
}

}  // namespace preload::hardening

#endif  // TESTS_HARDENING_HARDENING_SUPPORT_H_
