// The matrix host's plugin interface, version 2.0: a new major version may
// change anything; here Request's fields widen to 64 bits.
#ifndef MATRIX_ABI_H_
#define MATRIX_ABI_H_

#include <cstdint>

#define MATRIX_ABI_VERSION 200

namespace matrix {

struct Request {
  std::int64_t base;
  std::int64_t step;
  std::int64_t extra;
};

// Provided by the host executable: returns 2 * value.
__attribute__((visibility("default"))) int HostTwice(int value);

}  // namespace matrix

#endif  // MATRIX_ABI_H_
