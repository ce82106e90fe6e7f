// Helpers of the signing tests: plugins copied into a scratch directory with
// or without their signature.
#ifndef TESTS_SIGNING_SIGNING_SUPPORT_H_
#define TESTS_SIGNING_SIGNING_SUPPORT_H_

#include <fcntl.h>
#include <sys/stat.h>

#include <ctime>
#include <string>

#include "../hardening/hardening_support.h"

namespace preload::signing_test {

using ::preload::hardening::IsMapped;
using ::preload::hardening::ReadBytes;
using ::preload::hardening::RewriteBytes;
using ::preload::hardening::ScratchDir;
using ::preload::hardening::WriteBytes;

// A copy of the plugin `from` at `to`, without its signature.
inline std::string CopyPlugin(const std::string& from, const std::string& to) {
  WriteBytes(to, ReadBytes(from));
  return to;
}

// A copy of the plugin `from` and of its signature, at `to`.
inline std::string CopyWithSignature(const std::string& from, const std::string& to) {
  CopyPlugin(from, to);
  WriteBytes(to + ".minisig", ReadBytes(from + ".minisig"));
  return to;
}

// Times an hour back, as an installed file's: a rewrite then always moves them.
inline void BackdateAnHour(const std::string& path) {
  const struct timespec then[2] = {{::time(nullptr) - 3600, 0},
                                   {::time(nullptr) - 3600, 0}};
  ::utimensat(AT_FDCWD, path.c_str(), then, 0);
}

}  // namespace preload::signing_test

#endif  // TESTS_SIGNING_SIGNING_SUPPORT_H_
