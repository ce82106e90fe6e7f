// Control bytes in a note's values (docs/security.md): a plugin whose
// fingerprint carries ESC sequences is refused with a message, and traced
// with lines, in which every control byte is escaped, so that printing them
// cannot act on a terminal.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "fixture_paths.h"
#include "hardening_support.h"
#include "preload/loader.h"

namespace preload::hardening {
namespace {

using ::testing::HasSubstr;

// hx_probe with its glibcxx.cxx11_abi value "1" replaced by an ESC byte
// (every copy of the payload): the note stays well formed, the field now
// differs from the host's.
std::string PatchedProbe() {
  std::string bytes = ReadBytes(HX_PROBE);
  const std::string from = "\nglibcxx.cxx11_abi=1\n";
  const std::string to = "\nglibcxx.cxx11_abi=\x1b\n";
  for (size_t at = bytes.find(from); at != std::string::npos;
       at = bytes.find(from, at + 1)) {
    bytes.replace(at, from.size(), to);
  }
  return bytes;
}

// Any byte below 0x20 but a newline, or DEL.
bool HasControlByte(const std::string& text, bool newlines_allowed) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '\n' && newlines_allowed) continue;
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

TEST(ControlBytesTest, RefusalAndTraceEscapeNoteValues) {
  ScratchDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string plugin = dir / "escape.so";
  const std::string patched = PatchedProbe();
  ASSERT_NE(patched, ReadBytes(HX_PROBE)) << "the fixture's payload changed";
  ASSERT_TRUE(WriteBytes(plugin, patched));
  std::vector<std::string> trace;
  LoaderOptions options;
  options.trace.verify = true;
  options.trace.sink = [&trace](std::string_view line) {
    trace.emplace_back(line);
  };
  Loader loader(std::move(options));
  absl::StatusOr<Plugin*> opened = loader.Open(plugin);
  ASSERT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition)
      << opened.status();
  const std::string message(opened.status().message());
  EXPECT_THAT(message, HasSubstr("glibcxx.cxx11_abi: plugin has \\x1b"));
  EXPECT_FALSE(HasControlByte(message, /*newlines_allowed=*/true)) << message;
  ASSERT_FALSE(trace.empty());
  bool traced_the_value = false;
  for (const std::string& line : trace) {
    EXPECT_FALSE(HasControlByte(line, /*newlines_allowed=*/false)) << line;
    if (line.find("plugin \"\\x1b\"") != std::string::npos) traced_the_value = true;
  }
  EXPECT_TRUE(traced_the_value);
  EXPECT_FALSE(IsMapped(plugin));
}

}  // namespace
}  // namespace preload::hardening
