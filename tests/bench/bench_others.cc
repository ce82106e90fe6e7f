// Copyright the PreloadSDK authors.
//
// Other ways to learn something about a plugin file, on the same files:
// load-then-check (dlopen + dlsym + dlclose, as Go, LLVM and Node do), Qt 6's
// QPluginLoader::metaData() (reads its ELF note without loading) and
// Boost.DLL's library_info::sections(). Qt and Boost are measured only where
// installed.
#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include "bench.h"
#include "bench_others.h"

#if PRELOAD_BENCH_QT
#include <QtCore/QJsonObject>
#include <QtCore/QPluginLoader>
#include <QtCore/QString>
#endif
#if PRELOAD_BENCH_BOOST_DLL
#include <boost/dll/library_info.hpp>
#endif

namespace preload::bench {

bool DlopenCheck(const std::string& file) {
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return false;
  auto* version = reinterpret_cast<int (*)()>(::dlsym(handle, "bench_plugin_api_version"));
  const bool ok = version != nullptr && version() == 1;
  ::dlclose(handle);
  return ok;
}

bool HaveQt() { return PRELOAD_BENCH_QT + 0 != 0; }
bool HaveBoostDll() { return PRELOAD_BENCH_BOOST_DLL + 0 != 0; }

bool QtMetaData(const std::string& file) {
#if PRELOAD_BENCH_QT
  QPluginLoader loader(QString::fromStdString(file));
  const QJsonObject meta = loader.metaData();
  benchmark::DoNotOptimize(meta.size());
  return true;
#else
  (void)file;
  return false;
#endif
}

bool BoostSections(const std::string& file) {
#if PRELOAD_BENCH_BOOST_DLL
  boost::dll::library_info info(file);
  std::vector<std::string> sections = info.sections();
  benchmark::DoNotOptimize(sections);
  return !sections.empty();
#else
  (void)file;
  return false;
#endif
}

namespace {

void PerFile(benchmark::State& state, const std::vector<std::string>& files,
             bool (*method)(const std::string&)) {
  std::size_t i = 0;
  for (auto _ : state) {
    if (!method(files[i++ % files.size()])) {
      state.SkipWithError("the method failed on a benchmark plugin");
      break;
    }
  }
}

}  // namespace

void RegisterOthers() {
  benchmark::RegisterBenchmark("Other/dlopen_dlsym_dlclose/tiny",
      [](benchmark::State& s) { PerFile(s, TheCorpus().Tiny(), DlopenCheck); });
  benchmark::RegisterBenchmark("Other/dlopen_dlsym_dlclose/deps",
      [](benchmark::State& s) { PerFile(s, TheCorpus().Deps(), DlopenCheck); });
  if (HaveQt()) {
    benchmark::RegisterBenchmark("Other/qt_metadata/tiny",
        [](benchmark::State& s) { PerFile(s, TheCorpus().Tiny(), QtMetaData); });
  }
  if (HaveBoostDll()) {
    benchmark::RegisterBenchmark("Other/boost_dll_sections/tiny",
        [](benchmark::State& s) { PerFile(s, TheCorpus().Tiny(), BoostSections); });
  }
}

}  // namespace preload::bench
