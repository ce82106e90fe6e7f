// BatchReader (base/internal/batch_reader.h): what it fetches of each file is
// what a sequential reader gets from the same descriptor (fstat, the first
// bytes), and every feature the kernel refuses degrades to the next one down
// with the same results: setup flags refused with EINVAL, STATX refused with
// EINVAL. Each refusal is a real one (SimulatedRefusals gives the request a
// flag no kernel knows). Where io_uring cannot be set up at all the tests
// skip; the loader's fallback for that case is tested in
// tests/preloading/batched_scan_test.cc (seccomp).
#include "base/internal/batch_reader.h"

#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace preload::internal {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A directory of files of the sizes that matter: empty, shorter than a
// page, a page, between the page and read_bytes, longer than read_bytes.
class BatchReaderTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "batch_reader.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    for (std::size_t size : {0, 100, 4096, 5000, 16384, 40000}) {
      std::string bytes(size, '\0');
      for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(i * 7 + size);
      const std::string name = "f" + std::to_string(size);
      std::ofstream(dir_ / name, std::ios::binary) << bytes;
      contents_.push_back(bytes);
      names_.push_back(name);
    }
    fs::create_directory(dir_ / "sub");
    names_.push_back("sub");      // opens, but cannot be read
    names_.push_back("missing");  // does not open
    dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(dir_fd_, 0);
  }
  void TearDown() override {
    ::close(dir_fd_);
    fs::remove_all(dir_);
  }

  // The reader for `options`, or a skip where io_uring is not allowed.
  std::unique_ptr<BatchReader> Reader(const BatchOptions& options) {
    absl::StatusOr<std::unique_ptr<BatchReader>> reader = BatchReader::Create(options);
    if (!reader.ok()) {
      no_ring_ = std::string(reader.status().message());
      return nullptr;
    }
    return *std::move(reader);
  }

  // Fetches every name and checks each result against fstat and pread of
  // the same descriptor; `with_info`: whether the fstat must be there.
  void FetchAndCheck(BatchReader& reader, bool with_info) {
    std::vector<FetchedFile> out;
    ASSERT_TRUE(reader.Fetch(dir_fd_, names_, O_RDONLY | O_CLOEXEC, out).ok());
    ASSERT_EQ(out.size(), names_.size());
    for (std::size_t i = 0; i < contents_.size(); ++i) {
      SCOPED_TRACE(names_[i]);
      FetchedFile& file = out[i];
      ASSERT_TRUE(file.fd.valid());
      struct stat info {};
      ASSERT_EQ(::fstat(file.fd.get(), &info), 0);
      EXPECT_EQ(file.info.has_value(), with_info);
      if (file.info) {
        EXPECT_EQ(file.info->st_ino, info.st_ino);
        EXPECT_EQ(file.info->st_dev, info.st_dev);
        EXPECT_EQ(file.info->st_mode, info.st_mode);
        EXPECT_EQ(file.info->st_size, info.st_size);
        EXPECT_EQ(file.info->st_uid, info.st_uid);
      }
      ASSERT_TRUE(file.first_bytes.has_value());
      EXPECT_EQ(file.asked_bytes, reader.read_bytes());
      EXPECT_EQ(*file.first_bytes, contents_[i].substr(0, reader.read_bytes()));
      reader.CloseLater(std::move(file.fd));
    }
    const FetchedFile& sub = out[contents_.size()];
    EXPECT_TRUE(sub.fd.valid());
    EXPECT_FALSE(sub.first_bytes.has_value());  // EISDIR
    if (with_info) EXPECT_TRUE(S_ISDIR(sub.info->st_mode));
    const FetchedFile& missing = out.back();
    EXPECT_FALSE(missing.fd.valid());
    EXPECT_EQ(missing.open_error, ENOENT);
  }

  fs::path dir_;
  int dir_fd_ = -1;
  std::vector<std::string> names_;
  std::vector<std::string> contents_;
  std::string no_ring_;
};

#define SKIP_WITHOUT_RING(reader) \
  if ((reader) == nullptr) GTEST_SKIP() << "no io_uring here: " << no_ring_

TEST_F(BatchReaderTest, FetchesWhatTheDescriptorSays) {
  for (std::size_t bytes : {std::size_t{4096}, std::size_t{16384}, std::size_t{65536}}) {
    for (bool stat_in_ring : {true, false}) {
      BatchOptions options;
      options.files = 16;
      options.read_bytes = bytes;
      options.stat_in_ring = stat_in_ring;
      std::unique_ptr<BatchReader> reader = Reader(options);
      SKIP_WITHOUT_RING(reader);
      SCOPED_TRACE(reader->description());
      FetchAndCheck(*reader, /*with_info=*/true);
      FetchAndCheck(*reader, /*with_info=*/true);  // the second batch too
    }
  }
}

TEST_F(BatchReaderTest, RefusedDeferredTaskWorkFallsBackToCooperative) {
  BatchOptions options;
  options.refuse.setup_flags = IORING_SETUP_DEFER_TASKRUN;
  std::unique_ptr<BatchReader> reader = Reader(options);
  SKIP_WITHOUT_RING(reader);
  EXPECT_THAT(reader->description(), HasSubstr("cooperative task work"));
  FetchAndCheck(*reader, /*with_info=*/true);
}

TEST_F(BatchReaderTest, RefusedTaskWorkFlagsFallBackToAPlainRing) {
  BatchOptions options;
  options.refuse.setup_flags = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN;
  std::unique_ptr<BatchReader> reader = Reader(options);
  SKIP_WITHOUT_RING(reader);
  EXPECT_THAT(reader->description(), HasSubstr("plain"));
  FetchAndCheck(*reader, /*with_info=*/true);
}

TEST_F(BatchReaderTest, RefusedPollingThreadFallsBackToAPlainRing) {
  BatchOptions options;
  options.sqpoll = true;
  options.refuse.setup_flags = IORING_SETUP_COOP_TASKRUN;
  std::unique_ptr<BatchReader> reader = Reader(options);
  SKIP_WITHOUT_RING(reader);
  EXPECT_THAT(reader->description(), HasSubstr("submission polling, plain"));
  FetchAndCheck(*reader, /*with_info=*/true);
}

// With a polling kernel thread an entry is free again only once the thread
// has taken it, which can be after its completion is seen: batch after
// batch that fill the ring, the next one must wait for room rather than
// write through a null entry (scripts/bench's b64_sqpoll crashed so).
TEST_F(BatchReaderTest, APollingThreadFreesTheRingBeforeTheNextBatch) {
  BatchOptions options;
  options.files = names_.size();  // opens and closes, then stats and reads, fill it
  options.sqpoll = true;
  std::unique_ptr<BatchReader> reader = Reader(options);
  SKIP_WITHOUT_RING(reader);
  for (int batch = 0; batch < 2000 && !HasFatalFailure(); ++batch) {
    FetchAndCheck(*reader, /*with_info=*/true);
  }
}

// The first batch's STATX is refused: its files come back without their
// fstat (the loader makes it itself), and the reader fstat's the next
// batches' files itself.
TEST_F(BatchReaderTest, RefusedStatxFallsBackToFstat) {
  BatchOptions options;
  options.refuse.statx = true;
  std::unique_ptr<BatchReader> reader = Reader(options);
  SKIP_WITHOUT_RING(reader);
  EXPECT_THAT(reader->description(), HasSubstr("statx in the ring"));
  FetchAndCheck(*reader, /*with_info=*/false);
  EXPECT_THAT(reader->description(), HasSubstr("statx refused by the kernel"));
  FetchAndCheck(*reader, /*with_info=*/true);
}

// FetchRanges: each wanted range of a file fetched, cut where the file
// ends; ranges past kMoreRanges per file, too large, or of a file that did
// not open are left out.
TEST_F(BatchReaderTest, FetchesRangesPastTheFirstBytes) {
  BatchOptions options;
  options.read_bytes = 4096;
  std::unique_ptr<BatchReader> reader = Reader(options);
  SKIP_WITHOUT_RING(reader);
  std::vector<FetchedFile> out;
  ASSERT_TRUE(reader->Fetch(dir_fd_, names_, O_RDONLY | O_CLOEXEC, out).ok());
  const std::size_t f5000 = 3, f40000 = 5, missing = names_.size() - 1;
  ASSERT_EQ(names_[f5000], "f5000");
  ASSERT_EQ(names_[f40000], "f40000");
  const WantedRange wanted[] = {
      {f5000, 4096, 2000},                // cut at the end: 904 bytes
      {f40000, 30000, 700},
      {f40000, 12000, 300},
      {f40000, 100, 10},                  // a third for one file: left out
      {f5000 - 1, 0, kMaxWantedBytes + 1}, // too large: left out
      {missing, 0, 10},                   // not opened: left out
  };
  ASSERT_TRUE(reader->FetchRanges(wanted, out).ok());
  ASSERT_EQ(out[f5000].more_count, 1u);
  EXPECT_EQ(out[f5000].more[0].offset, 4096u);
  EXPECT_EQ(out[f5000].more[0].bytes, contents_[f5000].substr(4096));
  ASSERT_EQ(out[f40000].more_count, 2u);
  EXPECT_EQ(out[f40000].more[0].bytes, contents_[f40000].substr(30000, 700));
  EXPECT_EQ(out[f40000].more[1].offset, 12000u);
  EXPECT_EQ(out[f40000].more[1].bytes, contents_[f40000].substr(12000, 300));
  EXPECT_EQ(out[f5000 - 1].more_count, 0u);
  EXPECT_EQ(out[missing].more_count, 0u);
  // The first bytes are still there.
  EXPECT_EQ(*out[f40000].first_bytes, contents_[f40000].substr(0, 4096));
}

TEST_F(BatchReaderTest, RefusesOptionsOutOfRange) {
  for (std::size_t files : {std::size_t{0}, std::size_t{1025}}) {
    BatchOptions options;
    options.files = files;
    EXPECT_EQ(BatchReader::Create(options).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  for (std::size_t bytes : {std::size_t{4095}, std::size_t{(1u << 20) + 1}}) {
    BatchOptions options;
    options.read_bytes = bytes;
    EXPECT_EQ(BatchReader::Create(options).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace preload::internal
