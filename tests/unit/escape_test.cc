// EscapeText: what a terminal could act on is escaped, everything else kept.
#include "base/internal/escape.h"

#include <string>

#include "gtest/gtest.h"

namespace preload::internal {
namespace {

TEST(EscapeTest, PrintableAsciiAndUtf8AreKept) {
  EXPECT_EQ(EscapeText("gcc 12.2.0 -O2 \\ \"x\""), "gcc 12.2.0 -O2 \\ \"x\"");
  EXPECT_EQ(EscapeText("Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80"),
            "Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(EscapeTest, ControlBytesAreEscaped) {
  EXPECT_EQ(EscapeText("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(EscapeText("x\ry\nz\t"), "x\\ry\\nz\\t");
  EXPECT_EQ(EscapeText(std::string("\0\x7f", 2)), "\\x00\\x7f");
}

TEST(EscapeTest, C1ControlsAndInvalidUtf8AreEscaped) {
  EXPECT_EQ(EscapeText("\xc2\x9b" "2J"), "\\xc2\\x9b2J");  // CSI as UTF-8
  EXPECT_EQ(EscapeText("\x9b" "2J"), "\\x9b2J");            // bare CSI byte
  EXPECT_EQ(EscapeText("\xc3"), "\\xc3");                   // truncated
  EXPECT_EQ(EscapeText("\xc0\xaf"), "\\xc0\\xaf");          // overlong
  EXPECT_EQ(EscapeText("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
}

TEST(EscapeTest, KeepingLinesKeepsOnlyNewlines) {
  EXPECT_EQ(EscapeKeepingLines("a\nb\x1b\r"), "a\nb\\x1b\\r");
}

TEST(EscapeTest, EscapingTwiceChangesNothing) {
  const std::string once = EscapeText("\x1b\xc2\x9b\n\xff");
  EXPECT_EQ(EscapeText(once), once);
}

}  // namespace
}  // namespace preload::internal
