// Copyright the PreloadSDK authors.
//
// A benchmark plugin with real dependencies: it needs Abseil's random, time
// and synchronization libraries, which the benchmark host does not load, so
// mapping it means mapping and relocating them too.
#include <string>

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include <preload/plugin.h>

namespace {
absl::Mutex mutex;
}

__attribute__((noinline)) int Add(int a, int b) { return a + b; }
PRELOAD_EXPORT(Add);

std::string Stamp() {
  absl::MutexLock lock(&mutex);
  absl::BitGen gen;
  return absl::FormatTime(absl::Now()) + " " +
         std::to_string(absl::Uniform(gen, 0, 100));
}
PRELOAD_EXPORT(Stamp);

extern "C" __attribute__((visibility("default"))) int bench_plugin_api_version() {
  return 1;
}
