// HashFile (signing layer) computes the hashes its caller asks for, and only
// those: what coreutils' sha256sum and b2sum print for the same file.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "signing/internal/signature.h"

namespace preload::internal {
namespace {

// The first word `command` prints.
std::string FirstWord(const std::string& command) {
  FILE* out = ::popen(command.c_str(), "r");
  if (out == nullptr) return "";
  char word[200] = {};
  const int read = std::fscanf(out, "%199s", word);
  ::pclose(out);
  return read == 1 ? word : "";
}

std::string Hex(const uint8_t* bytes, std::size_t size) {
  std::string out;
  char digit[3];
  for (std::size_t i = 0; i < size; ++i) {
    std::snprintf(digit, sizeof digit, "%02x", bytes[i]);
    out += digit;
  }
  return out;
}

class HashFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hash_file_test.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/file";
    // More than one of HashFile's 256 KiB reads, and not a multiple of it.
    std::string bytes;
    for (int i = 0; i < 700 * 1024; ++i) bytes += static_cast<char>(i * 7 + i / 251);
    FILE* file = std::fopen(path_.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), file), bytes.size());
    std::fclose(file);
    size_ = bytes.size();
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
    std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  std::string dir_;
  std::string path_;
  uint64_t size_ = 0;
  int fd_ = -1;
};

TEST_F(HashFileTest, BothHashesAgreeWithCoreutils) {
  absl::StatusOr<FileHashes> hashes = HashFile(fd_, size_, path_, {true, true});
  ASSERT_TRUE(hashes.ok()) << hashes.status();
  ASSERT_TRUE(hashes->sha256.has_value());
  ASSERT_TRUE(hashes->blake2b.has_value());
  EXPECT_EQ(HexDigest(*hashes->sha256), FirstWord("sha256sum " + path_));
  EXPECT_EQ(Hex(hashes->blake2b->data(), hashes->blake2b->size()),
            FirstWord("b2sum " + path_));
}

TEST_F(HashFileTest, ComputesOnlyTheHashesAskedFor) {
  absl::StatusOr<FileHashes> sha256 = HashFile(fd_, size_, path_, {true, false});
  ASSERT_TRUE(sha256.ok()) << sha256.status();
  ASSERT_TRUE(sha256->sha256.has_value());
  EXPECT_FALSE(sha256->blake2b.has_value());
  EXPECT_EQ(HexDigest(*sha256->sha256), FirstWord("sha256sum " + path_));

  absl::StatusOr<FileHashes> blake2b = HashFile(fd_, size_, path_, {false, true});
  ASSERT_TRUE(blake2b.ok()) << blake2b.status();
  EXPECT_FALSE(blake2b->sha256.has_value());
  ASSERT_TRUE(blake2b->blake2b.has_value());
  EXPECT_EQ(Hex(blake2b->blake2b->data(), blake2b->blake2b->size()),
            FirstWord("b2sum " + path_));
}

TEST_F(HashFileTest, AFileShorterThanItsSizeIsRefusedAsTruncated) {
  absl::StatusOr<FileHashes> hashes = HashFile(fd_, size_ + 1, path_, {false, true});
  ASSERT_FALSE(hashes.ok());
  EXPECT_EQ(hashes.status().code(), absl::StatusCode::kAborted);
  EXPECT_NE(hashes.status().message().find("truncated"), absl::string_view::npos)
      << hashes.status();
}

}  // namespace
}  // namespace preload::internal
