// Copyright the PreloadSDK authors.
//
// One file's worth of each other method, shared by the per-file and the
// directory-scan benchmarks. Each returns false when it failed (or, for Qt
// and Boost.DLL, is not built in).
#ifndef PRELOAD_TESTS_BENCH_BENCH_OTHERS_H_
#define PRELOAD_TESTS_BENCH_BENCH_OTHERS_H_

#include <string>

namespace preload::bench {

bool DlopenCheck(const std::string& file);
bool QtMetaData(const std::string& file);
bool BoostSections(const std::string& file);
bool HaveQt();
bool HaveBoostDll();

}  // namespace preload::bench

#endif  // PRELOAD_TESTS_BENCH_BENCH_OTHERS_H_
