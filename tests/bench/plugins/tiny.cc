// Copyright the PreloadSDK authors.
//
// The tiny benchmark plugin: one typed export, and a C entry point that
// load-then-check systems (LLVM's llvmGetPassPluginInfo, Node's module
// version) would look up with dlsym.
#include <preload/plugin.h>

__attribute__((noinline)) int Add(int a, int b) { return a + b; }
PRELOAD_EXPORT(Add);

extern "C" __attribute__((visibility("default"))) int bench_plugin_api_version() {
  return 1;
}
