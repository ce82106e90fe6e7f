// The matrix host's plugin interface, version 1.2: adds HostBonus, which only
// a 1.2 host provides. A plugin that uses it needs a 1.2 host.
#ifndef MATRIX_ABI_H_
#define MATRIX_ABI_H_

#include <cstdint>

#define MATRIX_ABI_VERSION 102

namespace matrix {

struct Request {
  std::int32_t base;
  std::int32_t step;
  std::int64_t extra;  // added in 1.1, after the 1.0 fields
};

// Provided by the host executable: returns 2 * value.
__attribute__((visibility("default"))) int HostTwice(int value);

// Added in 1.2. Provided by the host executable: a bonus added to results.
__attribute__((visibility("default"))) int HostBonus();

}  // namespace matrix

#endif  // MATRIX_ABI_H_
