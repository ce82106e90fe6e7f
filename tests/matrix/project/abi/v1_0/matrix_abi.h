// The matrix host's plugin interface, version 1.0: a request the host passes
// to plugins, and a function the host provides to them.
#ifndef MATRIX_ABI_H_
#define MATRIX_ABI_H_

#include <cstdint>

#define MATRIX_ABI_VERSION 100

namespace matrix {

struct Request {
  std::int32_t base;
  std::int32_t step;
};

// Provided by the host executable: returns 2 * value.
__attribute__((visibility("default"))) int HostTwice(int value);

}  // namespace matrix

#endif  // MATRIX_ABI_H_
