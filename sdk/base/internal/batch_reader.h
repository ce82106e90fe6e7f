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
// opened file's fstat (statx of the descriptor itself, AT_EMPTY_PATH) and
// first kPageBytes read. What a file's verdict depends on is fetched through
// its own descriptor, as a sequential reader would; nothing is mapped. A step
// that failed for a file leaves its field unset, for the caller to do the
// ordinary way. This is the seam: io_uring appears nowhere else.
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

// How a BatchReader submits; what scripts/bench compares.
struct BatchOptions {
  // Files per batch: the memory held is about this many pages.
  std::size_t files = 64;
  // A kernel thread polls the submission queue (IORING_SETUP_SQPOLL): no
  // system call to submit, a thread spinning meanwhile.
  bool sqpoll = false;
  // The pages are read into buffers registered with the ring once
  // (READ_FIXED) rather than mapped by the kernel per read.
  bool register_buffers = false;
  // Each file's fstat as io_uring's STATX of its descriptor; false: fstat(2)
  // here. The kernel runs STATX in a worker thread of its own (io-wq), which
  // costs a hand-off per file that a plain fstat does not.
  bool stat_in_ring = false;
};

// The bytes a batch reads of each file: the ELF header, program headers and
// notes of an ordinary shared object.
inline constexpr std::size_t kBatchPageBytes = 4096;

// What one batch fetched of one file.
struct FetchedFile {
  UniqueFd fd;         // invalid when openat failed, with `open_error`
  int open_error = 0;  // errno
  // The descriptor's fstat, when the statx of it succeeded.
  std::optional<struct stat> info;
  // Bytes [0, n) of the file, n ≤ kBatchPageBytes, when the read succeeded;
  // a view into the reader's buffer, valid until its next Fetch.
  std::optional<std::string_view> first_bytes;
};

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
  // open on `dir` with `flags`, then fstat's and reads the first page of
  // each one opened; out[i] is names[i]'s. An error only when the ring
  // itself fails (the files' own failures are in `out`): the caller then
  // reads them the ordinary way; the descriptors in `out` close themselves.
  [[nodiscard]] absl::Status Fetch(int dir, absl::Span<const std::string> names,
                                   int flags, std::vector<FetchedFile>& out);

  // Closes `fd` with the next Fetch's opens, or when the reader goes.
  void CloseLater(UniqueFd fd);

  std::size_t capacity() const { return options_.files; }
  // "io_uring, 64 files per batch, deferred task work", for traces and the
  // bench.
  const std::string& description() const { return description_; }

 private:
  struct Ring;
  BatchReader(const BatchOptions& options, std::unique_ptr<Ring> ring,
              std::string description);
  absl::Status Complete(unsigned count, std::vector<FetchedFile>& out);

  BatchOptions options_;
  std::unique_ptr<Ring> ring_;
  std::string description_;
  std::vector<UniqueFd> to_close_;
};

}  // namespace preload::internal

#endif  // PRELOAD_BASE_INTERNAL_BATCH_READER_H_
