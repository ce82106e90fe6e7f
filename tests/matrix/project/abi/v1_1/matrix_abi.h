// The matrix host's plugin interface, version 1.1: what the matrix host
// provides. 1.1 only adds to 1.0 (Request::extra), so a plugin built against
// 1.0 still works with a 1.1 host.
#ifndef MATRIX_ABI_H_
#define MATRIX_ABI_H_

#include <cstdint>

#define MATRIX_ABI_VERSION 101

namespace matrix {

struct Request {
  std::int32_t base;
  std::int32_t step;
  std::int64_t extra;  // added in 1.1, after the 1.0 fields
};

// Provided by the host executable: returns 2 * value.
__attribute__((visibility("default"))) int HostTwice(int value);

}  // namespace matrix

#endif  // MATRIX_ABI_H_
