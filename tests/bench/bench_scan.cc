// Copyright the PreloadSDK authors.
//
// A directory of N plugin files read end to end, as `preload scan` does: the
// cost per file, and the growth of the peak resident memory over the scan.
// Each method is one line of the plot in docs/performance.md. `verify` is
// Loader::VerifyDirectory (what `preload scan` uses); `verify_each` the same
// files through Loader::Verify one path at a time.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

#include "bench.h"
#include "bench_others.h"
#include "scan_measure.h"

namespace preload::bench {
namespace {

// readdir, then `visit` on each .so.
template <typename Visit>
void Scan(benchmark::State& state, Visit visit) {
  Measure(state, [&](const std::string& dir) { return ForEachPlugin(dir, visit); });
}

void ScanFloor(benchmark::State& state) {
  char buffer[4096];
  Scan(state, [&](int dirfd, const std::string&, const char* name) {
    const int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    benchmark::DoNotOptimize(::pread(fd, buffer, sizeof buffer, 0));
    ::close(fd);
  });
}

// What `preload scan` uses: Loader::VerifyDirectory, the directory's trust
// checked once, each file opened relative to its descriptor.
void ScanVerify(benchmark::State& state, bool check_file_trust) {
  Loader loader(Options(check_file_trust));
  bool failed = false;
  Measure(state, [&](const std::string& dir) {
    std::size_t n = 0;
    const absl::Status status = loader.VerifyDirectory(
        dir, [&](std::string_view, absl::StatusOr<Fingerprint> fp) {
          failed |= !fp.ok();
          benchmark::DoNotOptimize(fp);
          ++n;
        });
    failed |= !status.ok();
    return n;
  });
  if (failed) state.SkipWithError("a plugin was not verified");
}

// Loader::Verify(dir + "/" + name) per file: the whole trust walk each time.
void ScanVerifyEach(benchmark::State& state) {
  Loader loader(Options());
  bool failed = false;
  Scan(state, [&](int, const std::string& dir, const char* name) {
    absl::StatusOr<Fingerprint> fp = loader.Verify(dir + "/" + name);
    failed |= !fp.ok();
    benchmark::DoNotOptimize(fp);
  });
  if (failed) state.SkipWithError("a plugin was not verified");
}

void ScanWith(benchmark::State& state, bool (*method)(const std::string&)) {
  bool failed = false;
  Scan(state, [&](int, const std::string& dir, const char* name) {
    failed |= !method(dir + "/" + name);
  });
  if (failed) state.SkipWithError("the method failed on a plugin");
}

}  // namespace

void RegisterScan() {
  auto add = [](const char* name, auto fn) {
    auto* b = benchmark::RegisterBenchmark(name, fn);
    for (std::size_t n : TheCorpus().scan_sizes()) b->Arg(static_cast<int64_t>(n));
    b->Unit(benchmark::kMillisecond);
  };
  add("Scan/floor_openat_pread4k_close", ScanFloor);
  add("Scan/verify", [](benchmark::State& s) { ScanVerify(s, true); });
  add("Scan/verify_no_trust_check",
      [](benchmark::State& s) { ScanVerify(s, false); });
  add("Scan/verify_each", ScanVerifyEach);
  add("Scan/dlopen_dlsym_dlclose",
      [](benchmark::State& s) { ScanWith(s, DlopenCheck); });
  if (HaveQt()) {
    add("Scan/qt_metadata", [](benchmark::State& s) { ScanWith(s, QtMetaData); });
  }
  if (HaveBoostDll()) {
    add("Scan/boost_dll_sections",
        [](benchmark::State& s) { ScanWith(s, BoostSections); });
  }
}

}  // namespace preload::bench
