// Copyright the PreloadSDK authors.
#include "base/internal/batch_reader.h"

#include <fcntl.h>
#include <liburing.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/errno_status.h"

namespace preload::internal {
namespace {

// What a completion was for: user_data is index << 2 | kind.
enum Kind : uint64_t { kOpen = 0, kStat = 1, kRead = 2, kClose = 3 };

uint64_t Tag(std::size_t index, Kind kind) { return (uint64_t{index} << 2) | kind; }

// The setup flags tried in turn: the cheapest the kernel accepts. Task work
// run only when this thread waits (DEFER_TASKRUN, Linux 6.1) saves an
// interrupt per completion; COOP_TASKRUN (5.19) some of it.
struct Setup {
  unsigned flags;
  const char* name;
};
constexpr Setup kSetups[] = {
    {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, "deferred task work"},
    {IORING_SETUP_COOP_TASKRUN, "cooperative task work"},
    {0, "plain"},
};

struct stat ToStat(const struct statx& x) {
  struct stat s {};
  s.st_dev = makedev(x.stx_dev_major, x.stx_dev_minor);
  s.st_ino = x.stx_ino;
  s.st_mode = x.stx_mode;
  s.st_nlink = x.stx_nlink;
  s.st_uid = x.stx_uid;
  s.st_gid = x.stx_gid;
  s.st_rdev = makedev(x.stx_rdev_major, x.stx_rdev_minor);
  s.st_size = static_cast<off_t>(x.stx_size);
  s.st_blksize = static_cast<blksize_t>(x.stx_blksize);
  s.st_blocks = static_cast<blkcnt_t>(x.stx_blocks);
  s.st_atim = {x.stx_atime.tv_sec, x.stx_atime.tv_nsec};
  s.st_mtim = {x.stx_mtime.tv_sec, x.stx_mtime.tv_nsec};
  s.st_ctim = {x.stx_ctime.tv_sec, x.stx_ctime.tv_nsec};
  return s;
}

}  // namespace

// The ring and the memory its requests write into, which live and die
// together.
struct BatchReader::Ring {
  explicit Ring(std::size_t files) : pages(files * kBatchPageBytes), stats(files) {}
  ~Ring() { io_uring_queue_exit(&ring); }
  io_uring ring{};
  std::vector<char> pages;           // one page per file of the batch
  std::vector<struct statx> stats;   // one per file of the batch
};

BatchReader::BatchReader(const BatchOptions& options, std::unique_ptr<Ring> ring,
                         std::string description)
    : options_(options),
      ring_(std::move(ring)),
      description_(std::move(description)) {}

BatchReader::~BatchReader() = default;  // to_close_ closes itself

absl::StatusOr<std::unique_ptr<BatchReader>> BatchReader::Create(
    const BatchOptions& options) {
  if (options.files == 0 || options.files > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("a batch of ", options.files, " files (1 to 1024)"));
  }
  // A batch's opens and the closes of the batch before share a submission.
  const unsigned entries = static_cast<unsigned>(2 * options.files);
  auto ring = std::make_unique<Ring>(options.files);
  int error = 0;
  std::string mode;
  for (const Setup& setup : kSetups) {
    io_uring_params params{};
    params.flags = setup.flags;
    if (options.sqpoll) {
      // A polling thread submits for us: not with deferred task work.
      if (setup.flags & IORING_SETUP_DEFER_TASKRUN) continue;
      params.flags |= IORING_SETUP_SQPOLL;
      params.sq_thread_idle = 50;  // ms the thread spins before sleeping
    }
    error = -io_uring_queue_init_params(entries, &ring->ring, &params);
    if (error == 0) {
      mode = options.sqpoll ? absl::StrCat("submission polling, ", setup.name)
                            : setup.name;
      break;
    }
    // Only unknown flags are worth another try.
    if (error != EINVAL) break;
  }
  if (error != 0) {
    return ErrnoStatus(error, "io_uring cannot be set up here");
  }
  auto reader = std::unique_ptr<BatchReader>(new BatchReader(
      options, std::move(ring),
      absl::StrCat("io_uring, ", options.files, " files per batch, ", mode,
                   options.register_buffers ? ", registered buffers" : "",
                   options.stat_in_ring ? ", statx in the ring" : "")));
  if (options.register_buffers) {
    std::vector<char>& pages = reader->ring_->pages;
    const iovec all{pages.data(), pages.size()};
    if (int e = -io_uring_register_buffers(&reader->ring_->ring, &all, 1); e != 0) {
      return ErrnoStatus(e, "io_uring cannot register the read buffers");
    }
  }
  return reader;
}

void BatchReader::CloseLater(UniqueFd fd) {
  if (fd.valid()) to_close_.push_back(std::move(fd));
}

absl::Status BatchReader::Fetch(int dir, absl::Span<const std::string> names,
                                int flags, std::vector<FetchedFile>& out) {
  if (names.size() > capacity()) {
    return absl::InvalidArgumentError("more files than a batch holds");
  }
  out.clear();
  out.resize(names.size());
  io_uring* ring = &ring_->ring;
  // Submission 1: the opens, and the closes of what the caller is done with.
  for (std::size_t i = 0; i < names.size(); ++i) {
    io_uring_sqe* sqe = io_uring_get_sqe(ring);
    io_uring_prep_openat(sqe, dir, names[i].c_str(), flags, 0);
    io_uring_sqe_set_data64(sqe, Tag(i, kOpen));
  }
  const unsigned closes = static_cast<unsigned>(to_close_.size());
  for (UniqueFd& fd : to_close_) {
    io_uring_sqe* sqe = io_uring_get_sqe(ring);
    io_uring_prep_close(sqe, fd.Release());
    io_uring_sqe_set_data64(sqe, Tag(0, kClose));
  }
  to_close_.clear();
  if (absl::Status done = Complete(static_cast<unsigned>(names.size()) + closes, out);
      !done.ok()) {
    return done;
  }
  // Submission 2: each opened file's fstat and first page.
  unsigned requests = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const int fd = out[i].fd.get();
    if (fd < 0) continue;
    if (options_.stat_in_ring) {
      io_uring_sqe* stat = io_uring_get_sqe(ring);
      io_uring_prep_statx(stat, fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
                          STATX_BASIC_STATS, &ring_->stats[i]);
      io_uring_sqe_set_data64(stat, Tag(i, kStat));
      ++requests;
    } else if (struct stat info {}; ::fstat(fd, &info) == 0) {
      out[i].info = info;
    }
    io_uring_sqe* read = io_uring_get_sqe(ring);
    char* page = ring_->pages.data() + i * kBatchPageBytes;
    if (options_.register_buffers) {
      io_uring_prep_read_fixed(read, fd, page, kBatchPageBytes, 0, 0);
    } else {
      io_uring_prep_read(read, fd, page, kBatchPageBytes, 0);
    }
    io_uring_sqe_set_data64(read, Tag(i, kRead));
    ++requests;
  }
  if (requests == 0) return absl::OkStatus();
  return Complete(requests, out);
}

// Submits what is queued and reaps `count` completions into `out`.
absl::Status BatchReader::Complete(unsigned count, std::vector<FetchedFile>& out) {
  io_uring* ring = &ring_->ring;
  unsigned seen = 0;
  bool submitted = false;
  while (seen < count) {
    const int waited = submitted ? io_uring_submit_and_wait(ring, 1)
                                 : io_uring_submit_and_wait(ring, count);
    if (waited < 0 && waited != -EINTR && waited != -EAGAIN && waited != -EBUSY) {
      // Requests may still be in flight, writing into the ring's buffers:
      // leak the ring and them rather than free memory under them.
      (void)ring_.release();
      return ErrnoStatus(-waited, "io_uring_enter failed");
    }
    submitted = submitted || waited >= 0;
    io_uring_cqe* cqe = nullptr;
    unsigned head = 0;
    unsigned reaped = 0;
    io_uring_for_each_cqe(ring, head, cqe) {
      ++reaped;
      const uint64_t data = io_uring_cqe_get_data64(cqe);
      const std::size_t i = data >> 2;
      const int result = cqe->res;
      switch (static_cast<Kind>(data & 3)) {
        case kOpen:
          if (result >= 0) out[i].fd.Reset(result);
          else out[i].open_error = -result;
          break;
        case kStat:
          if (result == 0) out[i].info = ToStat(ring_->stats[i]);
          break;
        case kRead:
          if (result >= 0) {
            out[i].first_bytes = std::string_view(
                ring_->pages.data() + i * kBatchPageBytes, static_cast<std::size_t>(result));
          }
          break;
        case kClose:
          break;
      }
    }
    io_uring_cq_advance(ring, reaped);
    seen += reaped;
  }
  return absl::OkStatus();
}

}  // namespace preload::internal
