// Copyright the PreloadSDK authors.
//
// The PreloadSDK benchmark suite (docs/performance.md). Own flags, before
// Google Benchmark's:
//   --bench_dir=DIR        where the plugin copies are made (default /tmp)
//   --bench_files=N        copies per load pool (default 300)
//   --bench_scan=N,N,...   directory sizes to scan (default 100,1000,10000)
//   --bench_load_iterations=N  loads per repetition of a load benchmark (50)
//   --bench_keep           keep the copies
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "bench.h"

namespace preload::bench {
namespace {
Corpus* corpus = nullptr;
}  // namespace

Corpus& TheCorpus() { return *corpus; }

}  // namespace preload::bench

int main(int argc, char** argv) {
  using namespace preload::bench;
  std::string dir = "/tmp";
  std::size_t files = 300;
  int load_iterations = 50;
  bool keep = false;
  std::vector<std::size_t> scan = {100, 1000, 10000};
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) -> const char* {
      return arg.substr(0, flag.size()) == flag ? argv[i] + flag.size() : nullptr;
    };
    if (const char* v = value("--bench_dir=")) {
      dir = v;
    } else if (const char* v = value("--bench_files=")) {
      files = std::strtoul(v, nullptr, 10);
    } else if (const char* v = value("--bench_load_iterations=")) {
      load_iterations = std::atoi(v);
    } else if (const char* v = value("--bench_scan=")) {
      scan.clear();
      for (absl::string_view n : absl::StrSplit(v, ',')) {
        std::size_t size = 0;
        if (absl::SimpleAtoi(n, &size)) scan.push_back(size);
      }
    } else if (arg == "--bench_keep") {
      keep = true;
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (files == 0 || scan.empty()) {
    std::cerr << "preload_bench: --bench_files and --bench_scan must be positive\n";
    return 2;
  }
  load_iterations = std::max(1, std::min<int>(load_iterations, files));
  // Every verified-and-loaded plugin keeps its descriptor open.
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;

  std::unique_ptr<Corpus> made = Corpus::Make(dir, files, scan);
  if (keep) made->keep();
  corpus = made.get();
  benchmark::AddCustomContext("bench_corpus", made->root());
  benchmark::AddCustomContext("bench_load_iterations", std::to_string(load_iterations));

  RegisterFloor();
  RegisterVerify();
  RegisterOthers();
  RegisterLookup();
  RegisterLoad(load_iterations);
  RegisterScan();
  RegisterBatchedScan();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
