// Version 1.1 edited without a version bump: base and step swapped places, so
// a plugin built against this header reads each at the other's offset.
#ifndef MATRIX_ABI_H_
#define MATRIX_ABI_H_

#include <cstdint>

#define MATRIX_ABI_VERSION 101

namespace matrix {

struct Request {
  std::int32_t step;
  std::int32_t base;
  std::int64_t extra;  // added in 1.1, after the 1.0 fields
};

// Provided by the host executable: returns 2 * value.
__attribute__((visibility("default"))) int HostTwice(int value);

}  // namespace matrix

#endif  // MATRIX_ABI_H_
