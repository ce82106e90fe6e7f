// Copyright the PreloadSDK authors.
//
// Shared by the benchmark files: the corpus of plugin copies every method is
// measured on, and the registration functions of each file.
#ifndef PRELOAD_TESTS_BENCH_BENCH_H_
#define PRELOAD_TESTS_BENCH_BENCH_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "preload/loader.h"

namespace preload::bench {

// Copies of the benchmark plugins, each its own file (its own inode), so that
// a method that caches per file (glibc's dlopen, Qt's library store) cannot
// answer from the cache, and each load gets a file not loaded before.
class Corpus {
 public:
  // Makes every copy under a new directory in `parent`. `load_files`: copies
  // per load pool; `scan_sizes`: the directories of tiny copies to scan.
  static std::unique_ptr<Corpus> Make(const std::string& parent,
                                      std::size_t load_files,
                                      const std::vector<std::size_t>& scan_sizes);
  ~Corpus();

  // The directory of `n` tiny copies (one of scan_sizes) and its files.
  const std::string& ScanDir(std::size_t n) const { return scan_dirs_.at(n); }
  const std::vector<std::string>& ScanFiles(std::size_t n) const {
    return scan_files_.at(n);
  }
  const std::vector<std::size_t>& scan_sizes() const { return scan_sizes_; }
  // Tiny copies verified and read round-robin: the largest scan directory.
  const std::vector<std::string>& Tiny() const;
  // Copies of the plugin with dependencies, read round-robin.
  const std::vector<std::string>& Deps() const { return deps_; }
  // The next copy of `pool` never handed out before; empty when exhausted.
  std::string Fresh(const std::string& pool);
  const std::string& root() const { return root_; }
  void keep() { keep_ = true; }

 private:
  std::string root_;
  bool keep_ = false;
  std::vector<std::size_t> scan_sizes_;
  std::map<std::size_t, std::string> scan_dirs_;
  std::map<std::size_t, std::vector<std::string>> scan_files_;
  std::vector<std::string> deps_;
  std::map<std::string, std::vector<std::string>> pools_;
  std::map<std::string, std::size_t> next_;
};

Corpus& TheCorpus();

// Host options shared by every Loader the benchmarks make: the default ones
// (strict policy, file trust checked), or with the trust check off.
LoaderOptions Options(bool check_file_trust = true);

// Each file registers its benchmarks (called from main after the corpus is made).
void RegisterFloor();
void RegisterVerify();
void RegisterLoad(int iterations);
void RegisterLookup();
void RegisterScan();
void RegisterBatchedScan();  // bench_batched_scan.cc
void RegisterOthers();

// Peak resident memory since the last ResetPeakRss(), and now, in KiB.
void ResetPeakRss();
long PeakRssKib();
long CurrentRssKib();

}  // namespace preload::bench

#endif  // PRELOAD_TESTS_BENCH_BENCH_H_
