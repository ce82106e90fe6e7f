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

// The objects whose layout or representation one build option changes
// without changing anything the main probe touches.
//
// A polymorphic class made by the plugin and inspected by the host with
// typeid and dynamic_cast: -fno-rtti leaves the type slot of the plugin's
// vtable empty.
struct MatrixShape {
  virtual ~MatrixShape() = default;
  virtual int Sides() const = 0;
};
struct MatrixSquare : MatrixShape {
  int Sides() const override { return 4; }
};

// An unscoped enumeration: -fshort-enums makes it 1 byte.
enum MatrixColor { kMatrixRed = 1, kMatrixGreen = 2, kMatrixBlue = 3 };

// A char before a double: -fpack-struct moves the double from offset 8 to 1.
struct MatrixMixed {
  char tag;
  double value;
};

// A class derived from an aggregate with default member initialisers: GCC's
// ABI version 17 (GCC 12) puts `extra` in the base's tail padding (size 8),
// -fabi-version=16 and older after it (size 12).
struct MatrixAggregate {
  std::int32_t number = 1;
  char letter = 'a';
};
struct MatrixExtended : MatrixAggregate {
  char extra = 'x';
};

// An over-aligned type: the plugin's `new` must honour its alignment
// (C++17's aligned new; -fno-aligned-new and C++14 ignore it).
struct alignas(64) MatrixBlock {
  double values[8];
};

struct MatrixTypesResult {
  std::int64_t wide_sum;      // the sum of *wide's elements
  std::int64_t colors_sum;    // the sum of colors[0..2]
  std::int64_t mixed_value;   // mixed->value * 1000
  std::int64_t extended_extra;  // extended[0].extra
};

// Fills *result from objects the host made, whose layout the options above
// change: a std::wstring (-fshort-wchar: 2-byte elements), three
// MatrixColor (-fshort-enums), a MatrixMixed (-fpack-struct) and an array
// of two MatrixExtended (-fabi-version).
__attribute__((visibility("default"))) void matrix_probe_types(
    const std::wstring* wide, const MatrixColor* colors,
    const MatrixMixed* mixed, const MatrixExtended* extended,
    MatrixTypesResult* result);

// Returns a new MatrixSquare, which the host inspects with typeid and
// dynamic_cast and deletes.
__attribute__((visibility("default"))) MatrixShape* matrix_probe_shape();

// Fills blocks[0..count) with `new MatrixBlock`, which the host checks for
// alignment and deletes.
__attribute__((visibility("default"))) void matrix_probe_blocks(
    MatrixBlock** blocks, int count);

}  // extern "C"

using MatrixProbeFn = decltype(matrix_probe);
using MatrixLongDoubleFn = decltype(matrix_probe_long_double);
using MatrixCharsFn = decltype(matrix_probe_chars);
using MatrixUnwindFn = decltype(matrix_probe_unwind);
using MatrixTypesFn = decltype(matrix_probe_types);
using MatrixShapeFn = decltype(matrix_probe_shape);
using MatrixBlocksFn = decltype(matrix_probe_blocks);

#endif  // MATRIX_PROBE_CONTRACT_H_
