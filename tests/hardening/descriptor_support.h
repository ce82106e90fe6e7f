// Helpers of the descriptor tests: a child process with a low
// RLIMIT_NOFILE and the descriptors below it filled with copies of stdin.
#ifndef TESTS_HARDENING_DESCRIPTOR_SUPPORT_H_
#define TESTS_HARDENING_DESCRIPTOR_SUPPORT_H_

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/status/status.h"

namespace preload::hardening {

inline constexpr rlim_t kLimit = 64;

inline int Fail(const std::string& what) {
  std::fprintf(stderr, "child: %s\n", what.c_str());
  return 1;
}

// Lowers the limit to kLimit and fills descriptors until the next one free
// would be `next_free` (kLimit: none left). The filled ones stay open.
inline bool FillDescriptorsUpTo(int next_free) {
  const struct rlimit limit = {kLimit, kLimit};
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  while (true) {
    const int fd = ::dup(STDIN_FILENO);
    if (fd < 0) return next_free >= static_cast<int>(kLimit);
    if (fd + 1 >= next_free) return true;
  }
}

inline bool Mentions(const absl::Status& status, const std::string& part) {
  return std::string(status.message()).find(part) != std::string::npos;
}

}  // namespace preload::hardening

#endif  // TESTS_HARDENING_DESCRIPTOR_SUPPORT_H_
