// Shared by the integration and hardening tests: was a file ever mapped into
// this process? The dynamic loader maps a library's file, so a file that
// never appears in /proc/self/maps ran no code here.
#ifndef TESTS_COMMON_MAPPING_PROBE_H_
#define TESTS_COMMON_MAPPING_PROBE_H_

#include <climits>
#include <cstdlib>
#include <fstream>
#include <string>

namespace preload::testing {

inline std::string RealPathOf(const std::string& path) {
  char resolved[PATH_MAX];
  return ::realpath(path.c_str(), resolved) ? std::string(resolved) : path;
}

// True if any mapping of this process comes from `path`.
inline bool IsMapped(const std::string& path) {
  const std::string real = RealPathOf(path);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.size() >= real.size() &&
        line.compare(line.size() - real.size(), real.size(), real) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace preload::testing

#endif  // TESTS_COMMON_MAPPING_PROBE_H_
