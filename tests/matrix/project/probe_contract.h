// The probe every matrix plugin exports, and what the host expects of it.
//
// The host hands the probe the three kinds of object an ABI break corrupts:
// a std::string (its layout depends on _GLIBCXX_USE_CXX11_ABI and the
// standard library), a std::vector<int> (its layout changes with
// _GLIBCXX_DEBUG) and matrix::Request (the host ABI's struct). The probe also
// writes a heap-sized std::string the host owns, and calls back into the host
// through the host ABI. Every value comes back in a plain C struct that
// crosses any boundary intact, so the host can tell a wrong result from a
// crash.
//
// matrix_probe is extern "C" on purpose: a C++-mangled name would turn a few
// breaks (the __cxx11 tag of the old std::string) into unresolved symbols.
// Plugin interfaces reached by name through dlsym or a table of pointers,
// PreloadSDK's exports included, bypass mangling; that is what the
// fingerprint is for.
#ifndef MATRIX_PROBE_CONTRACT_H_
#define MATRIX_PROBE_CONTRACT_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "matrix_abi.h"

extern "C" {

struct MatrixProbeResult {
  std::int64_t text_size;      // text.size()
  std::int64_t numbers_sum;    // the sum of numbers
  std::int64_t request_value;  // request.base * 1000 + request.step
  std::int64_t host_value;     // matrix::HostTwice(21)
};

// Returns 1 once it has filled *result and assigned *out =
// "probe:" + text + ":" + the sum of numbers.
__attribute__((visibility("default"))) int matrix_probe(
    const std::string& text, const std::vector<int>& numbers,
    const matrix::Request& request, std::string* out,
    MatrixProbeResult* result);

// Writes *out = *in * 2 + 1: a long double crosses the boundary both ways
// through memory. Its size may agree while its format does not
// (-mlong-double-128 keeps 16 bytes but reads them as IEEE binary128).
__attribute__((visibility("default"))) void matrix_probe_long_double(
    const long double* in, long double* out);

// Returns how many of `chars`' own elements `chars->count` finds: all of
// them, unless the two sides order plain char differently (-funsigned-char).
__attribute__((visibility("default"))) int matrix_probe_chars(
    const std::set<char>* chars);

// Makes an object whose destructor adds 1 to *destroyed, then calls
// `callback`, which throws: the exception leaves through this frame, and
// the object must be destroyed on the way (the host catches it).
__attribute__((visibility("default"))) void matrix_probe_unwind(
    void (*callback)(), int* destroyed);

}  // extern "C"

using MatrixProbeFn = decltype(matrix_probe);
using MatrixLongDoubleFn = decltype(matrix_probe_long_double);
using MatrixCharsFn = decltype(matrix_probe_chars);
using MatrixUnwindFn = decltype(matrix_probe_unwind);

#endif  // MATRIX_PROBE_CONTRACT_H_
