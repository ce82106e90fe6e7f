// Copyright the PreloadSDK authors.
//
// base/internal/batch_reader.h — the first page of many small files of one
// directory, fetched through io_uring in a few system calls per batch rather
// than four per file (open, fstat, pread, close):
//
//   absl::StatusOr<std::unique_ptr<BatchReader>> reader = BatchReader::Create({});
//   if (!reader.ok()) { /* no io_uring here (ENOSYS, EPERM): read file by file */ }
//   std::vector<FetchedFile> files;
//   if ((*reader)->Fetch(dir_fd, names, O_RDONLY | O_CLOEXEC, files).ok()) {
//     for (FetchedFile& file : files) { ...; (*reader)->CloseLater(std::move(file.fd)); }
//   }
//
// Each batch costs two submissions: every file opened (openat relative to the
// directory; the descriptors of the batch before closed with it), then every
// opened file's fstat (STATX of the descriptor itself, AT_EMPTY_PATH, or
// fstat(2) here) and first bytes read; and a third where the caller wants
// more ranges of them (FetchRanges). What a file's verdict depends on is
// fetched through its own descriptor, as a sequential reader would; nothing
// is mapped. A step that failed for a file leaves its field unset, for the
// caller to do the ordinary way. This is the seam: io_uring appears nowhere
// else.
//
// What the kernel refuses is left out, not fatal: setup flags it does not
// know (EINVAL) are dropped one by one, and a STATX it answers with EINVAL
// or EOPNOTSUPP (or that its probe does not list) is replaced by fstat(2)
// from then on. Without OPENAT, READ or CLOSE there is no reader.
#ifndef PRELOAD_BASE_INTERNAL_BATCH_READER_H_
#define PRELOAD_BASE_INTERNAL_BATCH_READER_H_

#include <sys/stat.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "base/internal/unique_fd.h"

namespace preload::internal {

// The first bytes a batch reads of each file: the ELF header, program
// headers and notes of an ordinary shared object, what a single-file reader
// reads first. What verification reads further (the dynamic section, the
// start-up code) FetchRanges can fetch for the batch in one more submission.
inline constexpr std::size_t kBatchPageBytes = 4096;

// For tests: act as a kernel that refuses these features would. Each is
// made a real refusal: the request is given a flag the kernel does not know,
// so that it answers EINVAL as an older kernel would.
struct SimulatedRefusals {
  unsigned setup_flags = 0;  // IORING_SETUP_* bits refused at setup
  bool statx = false;        // every STATX answered EINVAL
};

// How a BatchReader submits; what scripts/bench compares.
struct BatchOptions {
  // Files per batch: the memory held is about this many times read_bytes.
  std::size_t files = 64;
  // Bytes read from the start of each file, kBatchPageBytes to 1 MiB.
  std::size_t read_bytes = kBatchPageBytes;
  // A kernel thread polls the submission queue (IORING_SETUP_SQPOLL): no
  // system call to submit, a thread spinning meanwhile.
  bool sqpoll = false;
  // The bytes are read into buffers registered with the ring once
  // (READ_FIXED) rather than mapped by the kernel per read.
  bool register_buffers = false;
  // Each file's fstat as io_uring's STATX of its descriptor; false: fstat(2)
  // here. The kernel runs STATX in a worker thread of its own (io-wq): a
  // hand-off per file, but no system call, and on another core it overlaps
  // the reads.
  bool stat_in_ring = true;
  SimulatedRefusals refuse;
};

// What one batch fetched of one file.
struct FetchedFile {
  UniqueFd fd;         // invalid when openat failed, with `open_error`
  int open_error = 0;  // errno
  // The descriptor's fstat, when it succeeded.
  std::optional<struct stat> info;
  // Bytes [0, n) of the file, n ≤ asked_bytes, when the read succeeded; a
  // view into the reader's buffer, valid until its next Fetch.
  std::optional<std::string_view> first_bytes;
  // What the read asked for: n < asked_bytes means the file ended there.
  std::size_t asked_bytes = 0;
  // What FetchRanges read of the file: `bytes` from `offset` on (fewer than
  // asked where the file ends), valid until the next Fetch.
  struct MoreBytes {
    uint64_t offset = 0;
    std::string_view bytes;
  };
  static constexpr std::size_t kMoreRanges = 2;
  MoreBytes more[kMoreRanges];
  std::size_t more_count = 0;
};

// A range of a fetched file to read too: out[file] of the last Fetch.
struct WantedRange {
  std::size_t file;
  uint64_t offset;
  std::size_t size;  // at most kMaxWantedBytes
};
inline constexpr std::size_t kMaxWantedBytes = 8192;

class BatchReader {
 public:
  // A ring for `options`. Unavailable (with the errno) where io_uring is
  // missing or forbidden: ENOSYS (an old or stripped kernel), EPERM
  // (seccomp, containers, kernel.io_uring_disabled), ENOMEM (locked-memory
  // limits), and InvalidArgument for options the kernel refuses.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<BatchReader>> Create(
      const BatchOptions& options);
  // Closes what CloseLater queued; waits for nothing else, as Fetch returns
  // only once every request it made is complete.
  ~BatchReader();
  BatchReader(const BatchReader&) = delete;
  BatchReader& operator=(const BatchReader&) = delete;

  // Opens each of `names` (at most capacity()) relative to the directory
  // open on `dir` with `flags`, then fstat's and reads the first
  // read_bytes of each one opened; out[i] is names[i]'s. An error only when the ring
  // itself fails (the files' own failures are in `out`): the caller then
  // reads them the ordinary way; the descriptors in `out` close themselves.
  [[nodiscard]] absl::Status Fetch(int dir, absl::Span<const std::string> names,
                                   int flags, std::vector<FetchedFile>& out);

  // Reads the `wanted` ranges of files the last Fetch opened into `out`
  // (out[file].more, at most FetchedFile::kMoreRanges per file; ranges past
  // that, or larger than kMaxWantedBytes, are left out), in one submission.
  // An error only when the ring itself fails.
  [[nodiscard]] absl::Status FetchRanges(absl::Span<const WantedRange> wanted,
                                         std::vector<FetchedFile>& out);

  // Closes `fd` with the next Fetch's opens, or when the reader goes.
  void CloseLater(UniqueFd fd);

  std::size_t capacity() const { return options_.files; }
  std::size_t read_bytes() const { return options_.read_bytes; }
  // "io_uring, 64 files per batch, 16384 bytes each, deferred task work,
  // statx in the ring", for traces and the bench; it says what the kernel
  // refused.
  const std::string& description() const { return description_; }

 private:
  struct Ring;
  BatchReader(const BatchOptions& options, std::unique_ptr<Ring> ring,
              std::string description);
  absl::Status Complete(unsigned count, std::vector<FetchedFile>& out);
  unsigned QueueStatsAndReads(std::vector<FetchedFile>& out);
  void StatxRefused();

  BatchOptions options_;
  std::unique_ptr<Ring> ring_;
  std::string description_;
  std::vector<UniqueFd> to_close_;
  bool stat_in_ring_;  // options_.stat_in_ring, until the kernel refuses it
};

}  // namespace preload::internal

#endif  // PRELOAD_BASE_INTERNAL_BATCH_READER_H_
