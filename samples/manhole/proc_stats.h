// The process's vital signs, read from /proc/self.
#ifndef SAMPLES_MANHOLE_PROC_STATS_H_
#define SAMPLES_MANHOLE_PROC_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace manhole {

struct ProcStats {
  int64_t pid = 0;
  double uptime_seconds = 0;  // since the process started
  int64_t rss_bytes = 0;      // VmRSS
  int64_t threads = 0;
  int64_t open_fds = 0;       // not counting the one used to count them
  std::string exe;
  std::vector<std::string> cmdline;
};

// Fields that cannot be read keep their zero value.
ProcStats ReadProcStats();

}  // namespace manhole

#endif  // SAMPLES_MANHOLE_PROC_STATS_H_
