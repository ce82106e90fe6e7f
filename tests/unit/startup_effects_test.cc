// The start-up code recogniser (policy/internal/startup_effects.h), on the
// bytes of the start-up objects GCC 12 links on Debian bookworm, x86-64, as
// objdump shows them in a shared object.
#include "policy/internal/startup_effects.h"

#include <elf.h>

#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace preload::internal {
namespace {

using ::testing::HasSubstr;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int byte : bytes) out.push_back(static_cast<char>(byte));
  return out;
}

// crtfastmath.o's set_fast_math: endbr64; stmxcsr -4(%rsp);
// orl $0x8040,-4(%rsp); ldmxcsr -4(%rsp); ret
const std::string kFastMath =
    Bytes({0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0xae, 0x5c, 0x24, 0xfc, 0x81, 0x4c,
           0x24, 0xfc, 0x40, 0x80, 0x00, 0x00, 0x0f, 0xae, 0x54, 0x24, 0xfc,
           0xc3});
// crtprec64.o: fnstcw; movzwl; and $0xfc,%ah; or $0x2,%ah; mov; fldcw; ret
const std::string kPrec64 =
    Bytes({0xf3, 0x0f, 0x1e, 0xfa, 0xd9, 0x7c, 0x24, 0xfe, 0x0f, 0xb7, 0x44,
           0x24, 0xfe, 0x80, 0xe4, 0xfc, 0x80, 0xcc, 0x02, 0x66, 0x89, 0x44,
           0x24, 0xfe, 0xd9, 0x6c, 0x24, 0xfe, 0xc3});
// crtprec32.o: fnstcw; andw $0xfcff,-2(%rsp); fldcw; ret
const std::string kPrec32 =
    Bytes({0xf3, 0x0f, 0x1e, 0xfa, 0xd9, 0x7c, 0x24, 0xfe, 0x66, 0x81, 0x64,
           0x24, 0xfe, 0xff, 0xfc, 0xd9, 0x6c, 0x24, 0xfe, 0xc3});
// crtprec80.o: fnstcw; orw $0x300,-2(%rsp); fldcw; ret
const std::string kPrec80 =
    Bytes({0xf3, 0x0f, 0x1e, 0xfa, 0xd9, 0x7c, 0x24, 0xfe, 0x66, 0x81, 0x4c,
           0x24, 0xfe, 0x00, 0x03, 0xd9, 0x6c, 0x24, 0xfe, 0xc3});
// crtstuff's frame_dummy: endbr64; jmp register_tm_clones
const std::string kFrameDummy =
    Bytes({0xf3, 0x0f, 0x1e, 0xfa, 0xe9, 0x77, 0xff, 0xff, 0xff});

TEST(StartupEffects, CrtFastMathSetsFtzAndDaz) {
  const std::optional<StartupEffect> effect =
      StartupEffectOf(EM_X86_64, kFastMath);
  ASSERT_TRUE(effect.has_value());
  EXPECT_THAT(effect->what, HasSubstr("sets FTZ and DAZ in MXCSR"));
  EXPECT_THAT(effect->cause, HasSubstr("crtfastmath.o"));
  EXPECT_THAT(effect->fix, HasSubstr("-fno-fast-math"));
}

TEST(StartupEffects, CrtPrec64LowersPrecisionTo53Bits) {
  const std::optional<StartupEffect> effect = StartupEffectOf(EM_X86_64, kPrec64);
  ASSERT_TRUE(effect.has_value());
  EXPECT_THAT(effect->what, HasSubstr("53-bit mantissa"));
  EXPECT_THAT(effect->cause, HasSubstr("-mpc64"));
}

TEST(StartupEffects, CrtPrec32LowersPrecisionTo24Bits) {
  const std::optional<StartupEffect> effect = StartupEffectOf(EM_X86_64, kPrec32);
  ASSERT_TRUE(effect.has_value());
  EXPECT_THAT(effect->what, HasSubstr("24-bit mantissa"));
  EXPECT_THAT(effect->cause, HasSubstr("-mpc32"));
}

TEST(StartupEffects, CrtPrec80SetsTheDefaultAndChangesNothing) {
  EXPECT_FALSE(StartupEffectOf(EM_X86_64, kPrec80).has_value());
}

TEST(StartupEffects, OrdinaryStartupCodeHasNone) {
  EXPECT_FALSE(StartupEffectOf(EM_X86_64, kFrameDummy).has_value());
  EXPECT_FALSE(StartupEffectOf(EM_X86_64, "").has_value());
}

// The window read may run into the next function: a user function that
// saves and restores MXCSR after frame_dummy's jmp is not start-up code.
TEST(StartupEffects, CodeAfterTheFirstReturnOrJumpIsNotLookedAt) {
  EXPECT_FALSE(StartupEffectOf(EM_X86_64, kFrameDummy + kFastMath).has_value());
  EXPECT_FALSE(
      StartupEffectOf(EM_X86_64, Bytes({0xc3}) + kFastMath).has_value());
}

// The scan reads 16 bytes at a time: wherever the block boundaries fall,
// the function is found up to its first ret or jmp, and only there.
TEST(StartupEffects, FoundWhereverTheScansBlocksFall) {
  for (std::size_t nops = 0; nops + kFastMath.size() <= 48; ++nops) {
    const std::string padding(nops, '\x90');
    EXPECT_TRUE(StartupEffectOf(EM_X86_64, padding + kFastMath).has_value()) << nops;
    if (nops == 0) continue;
    // A ret anywhere before the store ends the function there.
    std::string ended = padding + kFastMath;
    ended[nops - 1] = '\xc3';
    EXPECT_FALSE(StartupEffectOf(EM_X86_64, ended).has_value()) << nops;
  }
}

TEST(StartupEffects, OnlyX86_64CodeIsInspected) {
  EXPECT_FALSE(StartupEffectOf(EM_AARCH64, kFastMath).has_value());
  EXPECT_FALSE(StartupEffectOf(EM_386, kPrec64).has_value());
}

// A load without the store before it is not the read-modify-write pattern.
TEST(StartupEffects, AnMxcsrLoadAloneIsNotReported) {
  EXPECT_FALSE(StartupEffectOf(EM_X86_64, kFastMath.substr(17)).has_value());
}

}  // namespace
}  // namespace preload::internal
