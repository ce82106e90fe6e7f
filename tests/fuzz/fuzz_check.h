// Copyright the PreloadSDK authors.
//
// What the fuzz targets share: an invariant check that fails loudly. A broken
// invariant aborts, which libFuzzer reports as a crash (and saves the input),
// and which fails the corpus replay test.
#ifndef TESTS_FUZZ_FUZZ_CHECK_H_
#define TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                              \
  do {                                                                     \
    if (!(condition)) {                                                    \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,      \
                   __LINE__, #condition);                                  \
      std::abort();                                                        \
    }                                                                      \
  } while (false)

#endif  // TESTS_FUZZ_FUZZ_CHECK_H_
