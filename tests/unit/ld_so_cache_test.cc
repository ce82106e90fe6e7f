// Tests for elf/internal/ld_so_cache.h on synthetic caches written from glibc's
// layout, and on this machine's own /etc/ld.so.cache.
#include "elf/internal/ld_so_cache.h"

#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace preload::internal {
namespace {

void Put(std::string* out, std::size_t at, uint64_t value, std::size_t width) {
  if (out->size() < at + width) out->resize(at + width, '\0');
  for (std::size_t i = 0; i < width; ++i) {
    (*out)[at + i] = static_cast<char>(value >> (8 * i));  // little-endian
  }
}

struct Entry {
  std::string key, value;
  uint64_t hwcap = 0;
};

// The new format: 48-byte header, 24-byte entries, then the strings; string
// offsets relative to the header.
std::string NewFormat(const std::vector<Entry>& entries) {
  std::string out = "glibc-ld.so.cache1.1";
  const std::size_t strings_at = 48 + 24 * entries.size();
  std::string strings;
  Put(&out, 20, entries.size(), 4);
  Put(&out, 28, 2, 1);  // little-endian
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::size_t at = 48 + 24 * i;
    Put(&out, at, 0x0303, 4);
    Put(&out, at + 4, strings_at + strings.size(), 4);
    strings += entries[i].key + '\0';
    Put(&out, at + 8, strings_at + strings.size(), 4);
    strings += entries[i].value + '\0';
    Put(&out, at + 16, entries[i].hwcap, 8);
  }
  Put(&out, 24, strings.size(), 4);
  return out + strings;
}

TEST(LdSoCacheTest, FindsEveryPathForANameGenericFirst) {
  const auto cache = LdSoCache::Parse(
      NewFormat({{"libfoo.so.1", "/opt/hw/libfoo.so.1", 1ull << 62},
                 {"libfoo.so.1", "/usr/lib/libfoo.so.1"},
                 {"libbar.so", "/usr/lib/libbar.so"}}),
      "test-cache");
  ASSERT_TRUE(cache.ok()) << cache.status();
  EXPECT_EQ(cache->entry_count(), 3u);
  EXPECT_EQ(cache->Lookup("libfoo.so.1"),
            (std::vector<std::string>{"/usr/lib/libfoo.so.1",
                                      "/opt/hw/libfoo.so.1"}));
  EXPECT_EQ(cache->Lookup("libbar.so"),
            std::vector<std::string>{"/usr/lib/libbar.so"});
  EXPECT_TRUE(cache->Lookup("libbaz.so").empty());
  EXPECT_TRUE(cache->Lookup("libfoo.so").empty());  // no prefix matches
}

TEST(LdSoCacheTest, ReadsNewFormatAfterOldTable) {
  std::string old = "ld.so-1.7.0";
  Put(&old, 12, 2, 4);                // two old entries of 12 bytes
  old.resize(16 + 2 * 12, '\0');  // 40: already 8-aligned
  const std::string tail = NewFormat({{"libfoo.so.1", "/lib/libfoo.so.1"}});
  const auto cache = LdSoCache::Parse(old + tail, "combined");
  ASSERT_TRUE(cache.ok()) << cache.status();
  EXPECT_EQ(cache->Lookup("libfoo.so.1"),
            std::vector<std::string>{"/lib/libfoo.so.1"});
}

TEST(LdSoCacheTest, RefusesWhatItCannotRead) {
  EXPECT_FALSE(LdSoCache::Parse("not a cache at all, not at all!!!!!!!!!!!!!!!!!!!", "x").ok());
  std::string big = NewFormat({{"a", "b"}});
  Put(&big, 20, 1000000, 4);  // entries past the end
  const auto result = LdSoCache::Parse(big, "big");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("run past the end"),
            absl::string_view::npos);
  std::string swapped = NewFormat({{"a", "b"}});
  Put(&swapped, 28, 3, 1);  // big-endian
  EXPECT_FALSE(LdSoCache::Parse(swapped, "swapped").ok());
  EXPECT_EQ(LdSoCache::Load("/nonexistent/ld.so.cache").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(LdSoCacheTest, StringsOutsideTheFileAreIgnoredNotRead) {
  std::string cache = NewFormat({{"libfoo.so.1", "/lib/libfoo.so.1"}});
  Put(&cache, 48 + 8, 0xfffffff0, 4);  // value offset far past the end
  const auto parsed = LdSoCache::Parse(cache, "hostile");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->Lookup("libfoo.so.1").empty());
  for (std::size_t size = 0; size < cache.size(); ++size) {
    const auto truncated = LdSoCache::Parse(cache.substr(0, size), "cut");
    if (truncated.ok()) (void)truncated->Lookup("libfoo.so.1");
  }
}

TEST(LdSoCacheTest, ReadsThisSystemsCache) {
  if (::access("/etc/ld.so.cache", R_OK) != 0) GTEST_SKIP() << "no cache";
  const auto cache = LdSoCache::Load("/etc/ld.so.cache");
  ASSERT_TRUE(cache.ok()) << cache.status();
  const std::vector<std::string> libc = cache->Lookup("libc.so.6");
  ASSERT_FALSE(libc.empty());
  EXPECT_EQ(::access(libc.front().c_str(), R_OK), 0) << libc.front();
}

}  // namespace
}  // namespace preload::internal
