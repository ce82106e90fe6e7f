// Helpers shared by the loader's integration tests.
#ifndef TESTS_INTEGRATION_TEST_SUPPORT_H_
#define TESTS_INTEGRATION_TEST_SUPPORT_H_

#include <climits>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "fixture_paths.h"
#include "mapping_probe.h"
#include "preload/loader.h"

namespace preload::testing {

// A status's message as std::string, so that gMock prints it as text.
inline std::string MessageOf(const absl::Status& status) {
  return std::string(status.message());
}

// Opens `path` with a fresh loader under `policy`; only the outcome matters.
inline absl::Status OpenUnder(Policy policy, const char* path) {
  Loader loader(LoaderOptions{policy});
  return loader.Open(path).status();
}

// A new directory of this process's own under the test temp dir, so that
// parallel runs and other users never share file names.
inline std::string UniqueTempDir() {
  std::string pattern = ::testing::TempDir() + "preload_test_XXXXXX";
  return ::mkdtemp(pattern.data()) ? pattern : ::testing::TempDir();
}

inline bool ProbeRan(const char* probe) { return std::getenv(probe) != nullptr; }

}  // namespace preload::testing

#endif  // TESTS_INTEGRATION_TEST_SUPPORT_H_
