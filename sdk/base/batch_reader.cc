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

// A free submission entry. The ring has room for every request of a batch,
// but with a polling kernel thread (sqpoll) an entry is free again only once
// that thread has taken it, which may be after its completion is seen: wait
// for the thread then. Without it, a full ring is submitted to make room.
io_uring_sqe* NextSqe(io_uring* ring) {
  io_uring_sqe* sqe = io_uring_get_sqe(ring);
  while (sqe == nullptr) {
    if (io_uring_sqring_wait(ring) == -EINVAL) io_uring_submit(ring);
    sqe = io_uring_get_sqe(ring);
  }
  return sqe;
}

// What a completion was for: user_data is index << 3 | kind.
enum Kind : uint64_t { kOpen = 0, kStat = 1, kRead = 2, kClose = 3, kRange = 4 };

uint64_t Tag(std::size_t index, Kind kind) { return (uint64_t{index} << 3) | kind; }

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

// A flag no kernel knows: what SimulatedRefusals adds to a request that is
// to be refused, so that the kernel itself answers EINVAL.
constexpr unsigned kUnknownSetupFlag = 1U << 31;
constexpr int kUnknownStatxFlag = 0x40000000;

// Sets `ring` up with the cheapest of kSetups the kernel accepts; says which.
absl::StatusOr<std::string> SetUp(const BatchOptions& options, io_uring& ring) {
  // A batch's opens and the closes of the batch before share a submission.
  const unsigned entries = static_cast<unsigned>(2 * options.files);
  int error = 0;
  for (const Setup& setup : kSetups) {
    io_uring_params params{};
    params.flags = setup.flags;
    if (options.sqpoll) {
      // A polling thread submits for us: not with deferred task work.
      if (setup.flags & IORING_SETUP_DEFER_TASKRUN) continue;
      params.flags |= IORING_SETUP_SQPOLL;
      params.sq_thread_idle = 50;  // ms the thread spins before sleeping
    }
    if (params.flags & options.refuse.setup_flags) params.flags |= kUnknownSetupFlag;
    error = -io_uring_queue_init_params(entries, &ring, &params);
    if (error == 0) {
      return options.sqpoll ? absl::StrCat("submission polling, ", setup.name)
                            : std::string(setup.name);
    }
    // Only unknown flags are worth another try.
    if (error != EINVAL) break;
  }
  return ErrnoStatus(error, "io_uring cannot be set up here");
}

// Whether the ring can open, read and close (an error if not), and STATX.
// Kernels before 5.6 have no such requests; a probe answered EINVAL (before
// 5.6 too) says nothing, and the first batch will tell.
absl::StatusOr<bool> ProbeOps(const BatchOptions& options, io_uring& ring) {
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  if (probe == nullptr) return true;
  const bool can_read = io_uring_opcode_supported(
      probe, options.register_buffers ? IORING_OP_READ_FIXED : IORING_OP_READ);
  const bool can_fetch = can_read && io_uring_opcode_supported(probe, IORING_OP_OPENAT) &&
                         io_uring_opcode_supported(probe, IORING_OP_CLOSE);
  const bool can_stat = io_uring_opcode_supported(probe, IORING_OP_STATX);
  io_uring_free_probe(probe);
  if (!can_fetch) {
    return absl::UnimplementedError("io_uring here cannot open, read and close files");
  }
  return can_stat;
}

}  // namespace

// The ring and the memory its requests write into, which live and die
// together.
struct BatchReader::Ring {
  Ring(std::size_t files, std::size_t bytes) : pages(files * bytes), stats(files) {}
  // A ring that was never set up has no descriptor to close (its zeroed
  // ring_fd would name standard input).
  ~Ring() {
    if (live) io_uring_queue_exit(&ring);
  }
  io_uring ring{};
  bool live = false;
  std::vector<char> pages;           // read_bytes per file of the batch
  std::vector<struct statx> stats;   // one per file of the batch
  std::vector<char> ranges;          // FetchRanges' bytes
};

BatchReader::BatchReader(const BatchOptions& options, std::unique_ptr<Ring> ring,
                         std::string description)
    : options_(options),
      ring_(std::move(ring)),
      description_(std::move(description)),
      stat_in_ring_(options.stat_in_ring) {}

BatchReader::~BatchReader() = default;  // to_close_ closes itself

absl::StatusOr<std::unique_ptr<BatchReader>> BatchReader::Create(
    const BatchOptions& options) {
  if (options.files == 0 || options.files > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("a batch of ", options.files, " files (1 to 1024)"));
  }
  if (options.read_bytes < kBatchPageBytes || options.read_bytes > (1u << 20)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "reads of ", options.read_bytes, " bytes (", kBatchPageBytes, " to 1 MiB)"));
  }
  auto ring = std::make_unique<Ring>(options.files, options.read_bytes);
  absl::StatusOr<std::string> mode = SetUp(options, ring->ring);
  if (!mode.ok()) return mode.status();
  ring->live = true;
  absl::StatusOr<bool> statx = ProbeOps(options, ring->ring);
  if (!statx.ok()) return statx.status();
  BatchOptions accepted = options;
  accepted.stat_in_ring = options.stat_in_ring && *statx;
  auto reader = std::unique_ptr<BatchReader>(new BatchReader(
      accepted, std::move(ring),
      absl::StrCat("io_uring, ", options.files, " files per batch, ",
                   options.read_bytes, " bytes each, ", *mode,
                   options.register_buffers ? ", registered buffers" : "",
                   accepted.stat_in_ring ? ", statx in the ring"
                   : options.stat_in_ring ? ", fstat (no statx in the ring here)"
                                          : ", fstat")));
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
    io_uring_sqe* sqe = NextSqe(ring);
    io_uring_prep_openat(sqe, dir, names[i].c_str(), flags, 0);
    io_uring_sqe_set_data64(sqe, Tag(i, kOpen));
  }
  const unsigned closes = static_cast<unsigned>(to_close_.size());
  for (UniqueFd& fd : to_close_) {
    io_uring_sqe* sqe = NextSqe(ring);
    io_uring_prep_close(sqe, fd.Release());
    io_uring_sqe_set_data64(sqe, Tag(0, kClose));
  }
  to_close_.clear();
  if (absl::Status done = Complete(static_cast<unsigned>(names.size()) + closes, out);
      !done.ok()) {
    return done;
  }
  // Submission 2: each opened file's fstat and first bytes.
  const unsigned requests = QueueStatsAndReads(out);
  if (requests == 0) return absl::OkStatus();
  return Complete(requests, out);
}

absl::Status BatchReader::FetchRanges(absl::Span<const WantedRange> wanted,
                                      std::vector<FetchedFile>& out) {
  std::size_t total = 0;
  for (const WantedRange& range : wanted) total += range.size;
  // Grown before any view into it is made: views of earlier batches are
  // dead by now.
  if (ring_->ranges.size() < total) ring_->ranges.resize(total);
  io_uring* ring = &ring_->ring;
  unsigned requests = 0;
  std::size_t at = 0;
  for (const WantedRange& range : wanted) {
    if (range.file >= out.size() || range.size > kMaxWantedBytes) continue;
    FetchedFile& file = out[range.file];
    if (!file.fd.valid() || file.more_count == FetchedFile::kMoreRanges) continue;
    const std::size_t k = file.more_count++;
    char* into = ring_->ranges.data() + at;
    at += range.size;
    // Set now, cut to what was read on completion.
    file.more[k] = {range.offset, std::string_view(into, range.size)};
    io_uring_sqe* read = NextSqe(ring);
    io_uring_prep_read(read, file.fd.get(), into, static_cast<unsigned>(range.size),
                       range.offset);
    io_uring_sqe_set_data64(read, Tag(range.file * 2 + k, kRange));
    ++requests;
  }
  if (requests == 0) return absl::OkStatus();
  return Complete(requests, out);
}

// Queues each opened file's STATX (or makes its fstat here) and read;
// returns how many requests it queued.
unsigned BatchReader::QueueStatsAndReads(std::vector<FetchedFile>& out) {
  io_uring* ring = &ring_->ring;
  const std::size_t bytes = options_.read_bytes;
  // A refusal made real for tests: a flag the kernel does not know.
  const int statx_flags = AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT |
                          (options_.refuse.statx ? kUnknownStatxFlag : 0);
  unsigned requests = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int fd = out[i].fd.get();
    if (fd < 0) continue;
    if (stat_in_ring_) {
      io_uring_sqe* stat = NextSqe(ring);
      io_uring_prep_statx(stat, fd, "", statx_flags, STATX_BASIC_STATS, &ring_->stats[i]);
      io_uring_sqe_set_data64(stat, Tag(i, kStat));
      ++requests;
    } else if (struct stat info {}; ::fstat(fd, &info) == 0) {
      out[i].info = info;
    }
    io_uring_sqe* read = NextSqe(ring);
    char* into = ring_->pages.data() + i * bytes;
    if (options_.register_buffers) {
      io_uring_prep_read_fixed(read, fd, into, static_cast<unsigned>(bytes), 0, 0);
    } else {
      io_uring_prep_read(read, fd, into, static_cast<unsigned>(bytes), 0);
    }
    io_uring_sqe_set_data64(read, Tag(i, kRead));
    out[i].asked_bytes = bytes;
    ++requests;
  }
  return requests;
}

// The kernel refused STATX (EINVAL: a kernel that does not know it or its
// flags): the files of this batch are fstat'ed by the caller, those of the
// next batches here.
void BatchReader::StatxRefused() {
  if (!stat_in_ring_) return;
  stat_in_ring_ = false;
  absl::StrAppend(&description_, " (statx refused by the kernel: fstat from the next batch)");
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
      const std::size_t i = data >> 3;
      const int result = cqe->res;
      switch (static_cast<Kind>(data & 7)) {
        case kOpen:
          if (result >= 0) out[i].fd.Reset(result);
          else out[i].open_error = -result;
          break;
        case kStat:
          if (result == 0) out[i].info = ToStat(ring_->stats[i]);
          if (result == -EINVAL || result == -EOPNOTSUPP) StatxRefused();
          break;
        case kRead:
          if (result >= 0) {
            out[i].first_bytes = std::string_view(
                ring_->pages.data() + i * options_.read_bytes, static_cast<std::size_t>(result));
          }
          break;
        case kRange: {
          FetchedFile::MoreBytes& more = out[i / 2].more[i % 2];
          more.bytes = result >= 0 ? more.bytes.substr(0, static_cast<std::size_t>(result))
                                   : std::string_view();
          break;
        }
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
