// Copyright the PreloadSDK authors.
//
// What the directory-scan benchmarks share (bench_scan.cc, and the batched
// scan of bench_batched_scan.cc): which entries are plugins, a readdir walk
// over them, and the measurement of one scan per iteration with the peak
// resident memory's growth.
#ifndef PRELOAD_BENCH_SCAN_MEASURE_H_
#define PRELOAD_BENCH_SCAN_MEASURE_H_

#include <benchmark/benchmark.h>
#include <dirent.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "bench.h"

namespace preload::bench {

inline bool IsPlugin(const char* name) {
  const std::size_t n = std::strlen(name);
  return n > 3 && std::strcmp(name + n - 3, ".so") == 0;
}

// Calls `visit(dirfd, dir, name)` for each .so in `dir`, in readdir order;
// returns how many it visited.
template <typename Visit>
std::size_t ForEachPlugin(const std::string& dir, Visit visit) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return 0;
  const int dirfd = ::dirfd(d);
  std::size_t n = 0;
  while (const dirent* entry = ::readdir(d)) {
    if (!IsPlugin(entry->d_name)) continue;
    visit(dirfd, dir, entry->d_name);
    ++n;
  }
  ::closedir(d);
  return n;
}

// Measures `scan_once(dir)` over the corpus's directory of state.range(0)
// files; it reads every .so of `dir` once and returns how many it read.
template <typename ScanOnce>
void Measure(benchmark::State& state, ScanOnce scan_once) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  const std::string& dir = TheCorpus().ScanDir(n);
  std::size_t files = 0;
  const long rss_before = CurrentRssKib();
  ResetPeakRss();
  for (auto _ : state) files += scan_once(dir);
  state.counters["files"] = static_cast<double>(n);
  state.counters["peak_rss_growth_kib"] =
      static_cast<double>(PeakRssKib() - rss_before);
  state.SetItemsProcessed(static_cast<int64_t>(files));
  if (files != n * state.iterations()) state.SkipWithError("a file went missing");
}

}  // namespace preload::bench

#endif  // PRELOAD_BENCH_SCAN_MEASURE_H_
