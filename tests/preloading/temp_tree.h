// Copyright the PreloadSDK authors.
//
// What the in-process preloading tests share: a fresh directory tree under
// /tmp for each test, with the modes the file-trust rules look at, and the
// small helpers around it.
#ifndef PRELOAD_TESTS_PRELOADING_TEMP_TREE_H_
#define PRELOAD_TESTS_PRELOADING_TEMP_TREE_H_

#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace preload::testing {

inline std::string MessageOf(const absl::Status& status) {
  return std::string(status.message());
}

inline uid_t NobodyUid() {
  const passwd* nobody = ::getpwnam("nobody");
  return nobody != nullptr ? nobody->pw_uid : 65534;
}

// A fresh directory under /tmp, mode 0755, removed afterwards.
class TempTree : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = "/tmp/preloading_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    std::filesystem::permissions(root_, std::filesystem::perms(0755));
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  // root_/<relative>, made with its parents, given `mode`.
  std::string Dir(const std::string& relative, mode_t mode = 0755) {
    const std::filesystem::path dir = root_ / relative;
    std::filesystem::create_directories(dir);
    ::chmod(dir.c_str(), mode);
    return dir.string();
  }
  // A copy of `from` at root_/<relative> (directories made 0755), given `mode`.
  std::string Copy(const std::string& from, const std::string& relative,
                   mode_t mode = 0755) {
    const std::filesystem::path target = root_ / relative;
    std::filesystem::create_directories(target.parent_path());
    std::filesystem::copy_file(
        from, target, std::filesystem::copy_options::overwrite_existing);
    ::chmod(target.c_str(), mode);
    return target.string();
  }

  std::filesystem::path root_;
};

}  // namespace preload::testing

#endif  // PRELOAD_TESTS_PRELOADING_TEMP_TREE_H_
