// Copyright the PreloadSDK authors.
//
// Issue 16, goal 3: a directory of N plugin files verified with its reads
// batched through io_uring (LoaderOptions::directory_reads), against the
// sequential safe floor — openat on the directory's descriptor, fstat, one
// 4 KiB pread and close per file — and against the same VerifyDirectory read
// one file at a time. `ring_fetch` is the batch reader alone, verifying
// nothing: the floor of the batched reads. Wall time and the process's CPU
// time, which includes the io-wq kernel threads that run io_uring's statx
// (a thread's own CPU clock would miss them).
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "base/internal/batch_reader.h"
#include "loader/internal/batch_scan.h"
#include "bench.h"
#include "scan_measure.h"

namespace preload::bench {
namespace {

// readdir, then per .so: openat, fstat, pread 4 KiB, close.
void SafeFloor(benchmark::State& state) {
  char buffer[4096];
  Measure(state, [&](const std::string& dir) {
    return ForEachPlugin(dir, [&](int dirfd, const std::string&, const char* name) {
      const int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
      struct stat info;
      benchmark::DoNotOptimize(::fstat(fd, &info));
      benchmark::DoNotOptimize(::pread(fd, buffer, sizeof buffer, 0));
      ::close(fd);
    });
  });
}

// readdir, then the batch reader on each batch of names: the reads alone.
void RingFetch(benchmark::State& state, internal::BatchOptions options) {
  absl::StatusOr<std::unique_ptr<internal::BatchReader>> reader =
      internal::BatchReader::Create(options);
  if (!reader.ok()) return state.SkipWithError(std::string(reader.status().message()).c_str());
  std::vector<std::string> names;
  std::vector<internal::FetchedFile> fetched;
  bool failed = false;
  Measure(state, [&](const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    std::size_t n = 0;
    auto fetch = [&] {
      failed |= !(*reader)->Fetch(::dirfd(d), names, O_RDONLY | O_CLOEXEC, fetched).ok();
      for (internal::FetchedFile& file : fetched) {
        failed |= !file.info || !file.first_bytes;
        (*reader)->CloseLater(std::move(file.fd));
      }
      n += names.size();
      names.clear();
    };
    while (const dirent* entry = ::readdir(d)) {
      if (!IsPlugin(entry->d_name)) continue;
      names.emplace_back(entry->d_name);
      if (names.size() == (*reader)->capacity()) fetch();
    }
    if (!names.empty()) fetch();
    ::closedir(d);
    return n;
  });
  if (failed) state.SkipWithError("a batch failed");
}

// Loader::VerifyDirectory, trust check on, read as `reads` says.
void Verify(benchmark::State& state, DirectoryReads reads) {
  LoaderOptions options = Options();
  options.directory_reads = reads;
  Loader loader(options);
  bool failed = false;
  Measure(state, [&](const std::string& dir) {
    std::size_t n = 0;
    failed |= !loader
                   .VerifyDirectory(dir,
                                    [&](std::string_view, absl::StatusOr<Fingerprint> fp) {
                                      failed |= !fp.ok();
                                      ++n;
                                    })
                   .ok();
    return n;
  });
  if (failed) state.SkipWithError("a plugin was not verified");
}

struct Config {
  const char* name;
  std::size_t files;
  std::size_t read_bytes;
  bool stat_in_ring;
  bool startup_ranges;  // DirectoryReads::read_startup_ranges
  bool sqpoll = false;
  bool registered = false;
};
// `b64` is the default (DirectoryReads): 64 files per batch, each one's
// first 4 KiB read, its fstat taken by STATX in the ring, and the ranges its
// start-up check reads past them fetched in a third submission. The others
// vary from it: the batch; `fstat` fstat(2) instead of STATX; `no_ranges`
// the start-up check's reads made by pread; `as_before` both (the batched
// scan as it was before issue 16's round 4); `16k` 16 KiB read per file
// instead of the ranges; registered buffers; a polling kernel thread.
constexpr Config kConfigs[] = {
    {"b16", 16, 4096, true, true},
    {"b64", 64, 4096, true, true},
    {"b256", 256, 4096, true, true},
    {"b64_fstat", 64, 4096, false, true},
    {"b64_no_ranges", 64, 4096, true, false},
    {"b64_as_before", 64, 4096, false, false},
    {"b64_16k", 64, 16384, true, false},
    {"b64_registered", 64, 4096, true, true, false, true},
    {"b64_sqpoll", 64, 4096, true, true, true, false},
};

}  // namespace

void RegisterBatchedScan() {
  auto add = [](const std::string& name, auto fn) {
    auto* b = benchmark::RegisterBenchmark(name.c_str(), fn);
    for (std::size_t n : TheCorpus().scan_sizes()) b->Arg(static_cast<int64_t>(n));
    b->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
  };
  add("BatchedScan/safe_floor", SafeFloor);
  add("BatchedScan/verify_sequential", [](benchmark::State& s) {
    DirectoryReads reads;
    reads.batched = false;
    Verify(s, reads);
  });
  for (const Config& c : kConfigs) {
    DirectoryReads reads;
    reads.batch_files = c.files;
    reads.read_bytes = c.read_bytes;
    reads.read_startup_ranges = c.startup_ranges;
    reads.poll_submissions = c.sqpoll;
    reads.register_buffers = c.registered;
    reads.stat_in_ring = c.stat_in_ring;
    // The reader alone, set up as the loader sets it up for `reads`.
    add(std::string("BatchedScan/ring_fetch_") + c.name, [reads](benchmark::State& s) {
      RingFetch(s, internal::BatchOptionsFor(reads));
    });
    add(std::string("BatchedScan/verify_batched_") + c.name,
        [reads](benchmark::State& s) { Verify(s, reads); });
  }
}

}  // namespace preload::bench
