// Copyright the PreloadSDK authors.
//
// Plugin::Lookup<T> and a call through the pointer it returns, against a
// direct call of the same function compiled into the host.
#include <benchmark/benchmark.h>

#include "bench.h"

namespace preload::bench {
namespace {

__attribute__((noinline)) int HostAdd(int a, int b) { return a + b; }

Plugin* TinyPlugin() {
  static Plugin* plugin = [] {
    static Loader loader(Options());
    // A copy never read by another benchmark.
    absl::StatusOr<Plugin*> p = loader.Open(TheCorpus().Fresh("tiny/verify_and_load"));
    return p.ok() ? *p : nullptr;
  }();
  return plugin;
}

void Lookup(benchmark::State& state) {
  Plugin* plugin = TinyPlugin();
  if (plugin == nullptr) return state.SkipWithError("cannot load the plugin");
  for (auto _ : state) {
    auto add = plugin->Lookup<int(int, int)>("Add");
    benchmark::DoNotOptimize(add);
  }
}

void LookupMiss(benchmark::State& state) {
  Plugin* plugin = TinyPlugin();
  if (plugin == nullptr) return state.SkipWithError("cannot load the plugin");
  for (auto _ : state) {
    auto add = plugin->Lookup<int(int, int)>("Sub");
    benchmark::DoNotOptimize(add);
  }
}

void CallThroughLookup(benchmark::State& state) {
  Plugin* plugin = TinyPlugin();
  if (plugin == nullptr) return state.SkipWithError("cannot load the plugin");
  int (*add)(int, int) = *plugin->Lookup<int(int, int)>("Add");
  int x = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(add);  // Keeps the call indirect.
    x = add(x, 1);
    benchmark::DoNotOptimize(x);
  }
}

void CallDirect(benchmark::State& state) {
  int x = 0;
  for (auto _ : state) {
    x = HostAdd(x, 1);
    benchmark::DoNotOptimize(x);
  }
}

void CallHostPointer(benchmark::State& state) {
  int (*add)(int, int) = &HostAdd;
  int x = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(add);
    x = add(x, 1);
    benchmark::DoNotOptimize(x);
  }
}

}  // namespace

void RegisterLookup() {
  benchmark::RegisterBenchmark("Lookup/hit", Lookup);
  benchmark::RegisterBenchmark("Lookup/miss", LookupMiss);
  benchmark::RegisterBenchmark("Call/through_lookup_pointer", CallThroughLookup);
  benchmark::RegisterBenchmark("Call/direct_in_host", CallDirect);
  benchmark::RegisterBenchmark("Call/host_function_pointer", CallHostPointer);
}

}  // namespace preload::bench
