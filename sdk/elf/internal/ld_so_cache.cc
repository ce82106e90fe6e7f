// Copyright the PreloadSDK authors.
//
// The layout, from glibc's sysdeps/generic/dl-cache.h:
//   struct cache_file_new {            // 48 bytes
//     char magic[17];                  // "glibc-ld.so.cache"
//     char version[3];                 // "1.1"
//     uint32_t nlibs, len_strings;     // at 20, 24
//     uint8_t flags; uint8_t pad[3];   // at 28: 2 little-, 3 big-endian
//     uint32_t extension_offset;       // at 32
//     uint32_t unused[3];
//     struct file_entry_new libs[];    // 24 bytes each:
//   };                                 //   int32 flags; uint32 key, value;
//                                      //   uint32 osversion; uint64 hwcap
// String offsets are relative to the new-format header.
#include "elf/internal/ld_so_cache.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"

namespace preload::internal {
namespace {

using internal::ToAbsl;

constexpr std::string_view kNewMagic = "glibc-ld.so.cache1.1";
constexpr std::string_view kOldMagic = "ld.so-1.7.0";
constexpr std::size_t kOldHeader = 16, kOldEntry = 12;
constexpr std::size_t kNewHeader = 48, kNewEntry = 24;
constexpr std::size_t kMaxCacheBytes = 64 * 1024 * 1024;

constexpr bool kHostBigEndian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;

uint64_t Native(std::string_view bytes, std::size_t at, std::size_t width) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const uint64_t byte = static_cast<unsigned char>(bytes[at + i]);
    value |= byte << (8 * (kHostBigEndian ? width - 1 - i : i));
  }
  return value;
}

absl::Status Invalid(std::string_view path, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      ToAbsl(path), ": not a dynamic loader cache this tool reads: ",
      ToAbsl(what)));
}

}  // namespace

absl::StatusOr<LdSoCache> LdSoCache::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::string bytes;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    bytes.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > kMaxCacheBytes) return Invalid(path, "larger than 64 MiB");
  }
  return Parse(std::move(bytes), path);
}

absl::StatusOr<LdSoCache> LdSoCache::Parse(std::string bytes,
                                           std::string_view path) {
  LdSoCache cache;
  std::string_view view = bytes;
  if (view.substr(0, kOldMagic.size()) == kOldMagic) {
    if (view.size() < kOldHeader) return Invalid(path, "truncated old header");
    const uint64_t old_count = Native(view, 12, 4);
    if (old_count > (view.size() - kOldHeader) / kOldEntry) {
      return Invalid(path, "the old-format table runs past the end");
    }
    cache.header_ = (kOldHeader + old_count * kOldEntry + 7) / 8 * 8;
  }
  if (view.size() < cache.header_ + kNewHeader ||
      view.substr(cache.header_, kNewMagic.size()) != kNewMagic) {
    return Invalid(path, "no \"glibc-ld.so.cache1.1\" header");
  }
  const uint8_t flags = static_cast<uint8_t>(view[cache.header_ + 28]) & 3;
  if (flags == 1 || (flags == 2 && kHostBigEndian) ||
      (flags == 3 && !kHostBigEndian)) {
    return Invalid(path, "written for another byte order");
  }
  const uint64_t count = Native(view, cache.header_ + 20, 4);
  if (count > (view.size() - cache.header_ - kNewHeader) / kNewEntry) {
    return Invalid(path, absl::StrCat("its ", count,
                                      " entries run past the end of the file"));
  }
  cache.count_ = count;
  cache.bytes_ = std::move(bytes);
  return cache;
}

std::string_view LdSoCache::StringAt(uint64_t offset) const {
  const std::string_view view = bytes_;
  if (offset >= view.size() - header_) return {};
  const std::string_view rest = view.substr(header_ + offset);
  const std::size_t end = rest.find('\0');
  return end == std::string_view::npos ? std::string_view() : rest.substr(0, end);
}

std::vector<std::string> LdSoCache::Lookup(std::string_view name) const {
  std::vector<std::string> generic, hwcaps;
  const std::string_view view = bytes_;
  for (std::size_t i = 0; i < count_; ++i) {
    const std::size_t at = header_ + kNewHeader + i * kNewEntry;
    if (StringAt(Native(view, at + 4, 4)) != name) continue;
    const std::string_view value = StringAt(Native(view, at + 8, 4));
    if (value.empty()) continue;
    (Native(view, at + 16, 8) == 0 ? generic : hwcaps).emplace_back(value);
  }
  generic.insert(generic.end(), hwcaps.begin(), hwcaps.end());
  return generic;
}

}  // namespace preload::internal
