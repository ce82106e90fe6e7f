// Copyright the PreloadSDK authors.
//
// elf/internal/ld_so_cache.h — the dynamic loader's cache, /etc/ld.so.cache, read the
// way glibc reads it: the "glibc-ld.so.cache1.1" format, alone or after the
// old "ld.so-1.7.0" table. Every offset is bounds-checked.
#ifndef PRELOAD_ELF_INTERNAL_LD_SO_CACHE_H_
#define PRELOAD_ELF_INTERNAL_LD_SO_CACHE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace preload::internal {

class LdSoCache {
 public:
  // Reads and parses `path`. NotFound when it does not exist; InvalidArgument
  // naming what is wrong when it is not a cache this reader understands.
  [[nodiscard]] static absl::StatusOr<LdSoCache> Load(const std::string& path);
  // Parses cache bytes; `path` names them in errors.
  [[nodiscard]] static absl::StatusOr<LdSoCache> Parse(std::string bytes,
                                                       std::string_view path);

  // The paths the cache lists for the library `name` (a DT_NEEDED value),
  // generic entries before glibc-hwcaps ones, each in cache order.
  std::vector<std::string> Lookup(std::string_view name) const;

  std::size_t entry_count() const { return count_; }

 private:
  LdSoCache() = default;
  std::string_view StringAt(uint64_t offset) const;

  std::string bytes_;
  std::size_t header_ = 0;   // where the new-format header starts
  std::size_t count_ = 0;
};

}  // namespace preload::internal

#endif  // PRELOAD_ELF_INTERNAL_LD_SO_CACHE_H_
