// Copyright the PreloadSDK authors.
//
// Verify and load versus a plain dlopen of the same plugin. Plugins are never
// unloaded, so every iteration takes a copy never loaded before (its own
// inode: glibc would otherwise return the library it already has).
//
// A Loader loads one plugin per name, and every copy carries the same name,
// so each copy gets a fresh Loader, made before the timed loop. Building
// distinct names instead would mean a build per copy and files that differ
// from the ones dlopen gets; fresh Loaders keep the bytes identical.
#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include "bench.h"

namespace preload::bench {
namespace {

std::vector<std::string> TakeFresh(benchmark::State& state, const std::string& pool) {
  std::vector<std::string> files;
  for (benchmark::IterationCount i = 0; i < state.max_iterations; ++i) {
    std::string file = TheCorpus().Fresh(pool);
    if (file.empty()) {
      state.SkipWithError(("out of fresh copies in pool " + pool +
                           "; raise --bench_files").c_str());
      return {};
    }
    files.push_back(std::move(file));
  }
  return files;
}

void Dlopen(benchmark::State& state, const std::string& kind) {
  const std::vector<std::string> files = TakeFresh(state, kind + "/dlopen");
  if (files.empty()) return;
  std::size_t i = 0;
  for (auto _ : state) {
    void* handle = ::dlopen(files[i++].c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      state.SkipWithError(::dlerror());
      break;
    }
    benchmark::DoNotOptimize(handle);
  }
}

void VerifyAndLoad(benchmark::State& state, const std::string& kind) {
  const std::vector<std::string> files = TakeFresh(state, kind + "/verify_and_load");
  if (files.empty()) return;
  // Kept until the end of the process: a Loader owns its Plugin objects.
  static auto* loaders = new std::vector<std::unique_ptr<Loader>>;
  const std::size_t first = loaders->size();
  for (std::size_t n = 0; n < files.size(); ++n) {
    loaders->push_back(std::make_unique<Loader>(Options()));
  }
  std::size_t i = 0;
  for (auto _ : state) {
    absl::StatusOr<Plugin*> plugin = (*loaders)[first + i]->Open(files[i]);
    ++i;
    if (!plugin.ok()) {
      state.SkipWithError(std::string(plugin.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(*plugin);
  }
}

}  // namespace

void RegisterLoad(int iterations) {
  for (const char* kind : {"tiny", "deps"}) {
    const std::string k = kind;
    benchmark::RegisterBenchmark(("Load/dlopen/" + k).c_str(),
                                 [k](benchmark::State& s) { Dlopen(s, k); })
        ->Iterations(iterations);
    benchmark::RegisterBenchmark(("Load/verify_and_load/" + k).c_str(),
                                 [k](benchmark::State& s) { VerifyAndLoad(s, k); })
        ->Iterations(iterations);
  }
}

}  // namespace preload::bench
