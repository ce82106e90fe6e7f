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
#include <fcntl.h>

#include <string>

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

// What mapping through the descriptor costs by itself: open, then dlopen of
// /proc/self/fd/N, as the loader maps a verified file (the descriptor stays
// open, as the loader's does).
void DescriptorDlopen(benchmark::State& state, const std::string& kind) {
  const std::vector<std::string> files = TakeFresh(state, kind + "/fd_dlopen");
  if (files.empty()) return;
  std::size_t i = 0;
  for (auto _ : state) {
    const int fd = ::open(files[i++].c_str(), O_RDONLY | O_CLOEXEC);
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    void* handle = fd < 0 ? nullptr : ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      state.SkipWithError(fd < 0 ? "cannot open a copy" : ::dlerror());
      break;
    }
    benchmark::DoNotOptimize(handle);
  }
}

// `method` is "verify_and_load", or "sealed_copy_and_load" for a Loader that
// copies each plugin into a sealed memfd first (LoaderOptions::sealed_copy).
void VerifyAndLoad(benchmark::State& state, const std::string& kind,
                   const std::string& method) {
  const std::vector<std::string> files = TakeFresh(state, kind + "/" + method);
  if (files.empty()) return;
  LoaderOptions options = Options();
  options.sealed_copy = method == "sealed_copy_and_load";
  // Kept until the end of the process: a Loader owns its Plugin objects.
  static auto* loaders = new std::vector<std::unique_ptr<Loader>>;
  const std::size_t first = loaders->size();
  for (std::size_t n = 0; n < files.size(); ++n) {
    loaders->push_back(std::make_unique<Loader>(options));
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
    benchmark::RegisterBenchmark(("Load/fd_dlopen/" + k).c_str(),
                                 [k](benchmark::State& s) { DescriptorDlopen(s, k); })
        ->Iterations(iterations);
    for (const char* method : {"verify_and_load", "sealed_copy_and_load"}) {
      const std::string m = method;
      benchmark::RegisterBenchmark(("Load/" + m + "/" + k).c_str(),
                                   [k, m](benchmark::State& s) { VerifyAndLoad(s, k, m); })
          ->Iterations(iterations);
    }
  }
}

}  // namespace preload::bench
