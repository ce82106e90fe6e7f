// The plugin of every matrix row: the same source, built differently per row.
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include <preload/plugin.h>

#include "probe_contract.h"

#if defined(MATRIX_EXPECT_EXTRA_INCLUDE)
#include "matrix_extra.h"
static_assert(MATRIX_EXTRA_INCLUDED, "the extra include directory is used");
#endif

extern "C" int matrix_probe(const std::string& text,
                            const std::vector<int>& numbers,
                            const matrix::Request& request, std::string* out,
                            MatrixProbeResult* result) {
  result->text_size = static_cast<std::int64_t>(text.size());
  result->numbers_sum = std::accumulate(numbers.begin(), numbers.end(),
                                        std::int64_t{0});
  result->request_value = static_cast<std::int64_t>(request.base) * 1000 +
                          static_cast<std::int64_t>(request.step);
  result->host_value = matrix::HostTwice(21);
#if MATRIX_ABI_VERSION >= 102 && MATRIX_ABI_VERSION < 200
  result->host_value += matrix::HostBonus();  // what 1.2 added
#endif
  *out = "probe:" + text + ":" + std::to_string(result->numbers_sum);
  return 1;
}
PRELOAD_EXPORT(matrix_probe);

extern "C" void matrix_probe_long_double(const long double* in,
                                         long double* out) {
  *out = *in * 2 + 1;
}
PRELOAD_EXPORT(matrix_probe_long_double);

extern "C" int matrix_probe_chars(const std::set<char>* chars) {
  int found = 0;
  for (char c : *chars) found += static_cast<int>(chars->count(c));
  return found;
}
PRELOAD_EXPORT(matrix_probe_chars);

namespace {
struct Counted {
  int* destroyed;
  ~Counted() { ++*destroyed; }
};
}  // namespace

extern "C" void matrix_probe_unwind(void (*callback)(), int* destroyed) {
  Counted counted{destroyed};
  callback();
}
PRELOAD_EXPORT(matrix_probe_unwind);

extern "C" void matrix_probe_types(const std::wstring* wide,
                                   const MatrixColor* colors,
                                   const MatrixMixed* mixed,
                                   const MatrixExtended* extended,
                                   MatrixTypesResult* result) {
  result->wide_sum = 0;
  for (wchar_t c : *wide) result->wide_sum += static_cast<std::int64_t>(c);
  result->colors_sum = colors[0] + colors[1] + colors[2];
  result->mixed_value = static_cast<std::int64_t>(mixed->value * 1000);
  result->extended_extra = extended[0].extra;
}
PRELOAD_EXPORT(matrix_probe_types);

extern "C" MatrixShape* matrix_probe_shape() { return new MatrixSquare; }
PRELOAD_EXPORT(matrix_probe_shape);

extern "C" void matrix_probe_blocks(MatrixBlock** blocks, int count) {
  for (int i = 0; i < count; ++i) blocks[i] = new MatrixBlock{};
}
PRELOAD_EXPORT(matrix_probe_blocks);
