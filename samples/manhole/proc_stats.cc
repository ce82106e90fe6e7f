#include "proc_stats.h"

#include <dirent.h>
#include <unistd.h>

#include <climits>
#include <fstream>
#include <sstream>
#include <string>

namespace manhole {
namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The value of "Key:\t<number> ..." in /proc/self/status.
int64_t StatusField(const std::string& status, const std::string& key) {
  const size_t at = status.find("\n" + key + ":");
  if (at == std::string::npos) return 0;
  return std::strtoll(status.c_str() + at + key.size() + 2, nullptr, 10);
}

// Field 22 of /proc/self/stat, the start time in clock ticks after boot. The
// command name (field 2) may hold spaces and ')', so count from the last ')'.
double StartSecondsAfterBoot() {
  const std::string stat = ReadFile("/proc/self/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int index = 3; fields >> field; ++index) {
    if (index == 22) return std::stod(field) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return 0;
}

int64_t CountOpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int64_t count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the directory's own descriptor
}

}  // namespace

ProcStats ReadProcStats() {
  ProcStats stats;
  stats.pid = ::getpid();
  const std::string status = ReadFile("/proc/self/status");
  stats.rss_bytes = StatusField(status, "VmRSS") * 1024;
  stats.threads = StatusField(status, "Threads");
  stats.open_fds = CountOpenFds();
  std::istringstream uptime(ReadFile("/proc/uptime"));
  double seconds_since_boot = 0;
  if (uptime >> seconds_since_boot) {
    stats.uptime_seconds = seconds_since_boot - StartSecondsAfterBoot();
  }
  char exe[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (length > 0) stats.exe.assign(exe, static_cast<size_t>(length));
  const std::string cmdline = ReadFile("/proc/self/cmdline");
  for (size_t start = 0; start < cmdline.size();) {
    const size_t end = cmdline.find('\0', start);
    stats.cmdline.push_back(cmdline.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return stats;
}

}  // namespace manhole
