// Copyright the PreloadSDK authors.
//
// Recognises the start-up code that changes process-wide floating-point
// state (internal/startup_effects.h). A tiny pattern reader for the few
// x86-64 instruction forms these constructors use, not a disassembler: it
// looks for a read-modify-write of MXCSR or of the x87 control word, and for
// the immediate OR'ed (or AND'ed) into it to name what changes.
#include "policy/internal/startup_effects.h"

#include <elf.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace preload::internal {
namespace {

std::uint8_t At(std::string_view code, std::size_t i) {
  return i < code.size() ? static_cast<std::uint8_t>(code[i]) : 0;
}

// The length of a ModRM memory operand (ModRM, SIB, displacement) starting
// at `i`; 0 for a register operand (mod 3) or bytes past the end.
std::size_t OperandLength(std::string_view code, std::size_t i) {
  if (i >= code.size()) return 0;
  const std::uint8_t modrm = At(code, i);
  const int mod = modrm >> 6, rm = modrm & 7;
  if (mod == 3) return 0;
  std::size_t length = 1;
  if (rm == 4) {  // a SIB byte follows
    ++length;
    if (mod == 0 && (At(code, i + 1) & 7) == 5) length += 4;
  } else if (mod == 0 && rm == 5) {
    length += 4;  // %rip-relative
  }
  if (mod == 1) length += 1;
  if (mod == 2) length += 4;
  return length;
}

// The position of the ModRM byte of `opcode` with /reg `reg` and a memory
// operand, searched from `from`; npos when there is none.
std::size_t FindOp(std::string_view code, std::string_view opcode, int reg,
                   std::size_t from) {
  for (std::size_t i = code.find(opcode, from); i != std::string_view::npos;
       i = code.find(opcode, i + 1)) {
    const std::size_t modrm = i + opcode.size();
    if (OperandLength(code, modrm) != 0 && ((At(code, modrm) >> 3) & 7) == reg) {
      return modrm;
    }
  }
  return std::string_view::npos;
}

// The immediate of the first `or` of a memory operand between `from` and
// `to`: 81 /1 id (32 bits) or 66 81 /1 iw (16 bits), or of `or $ib, %ah`
// (80 cc ib, shifted into place); nullopt when there is none.
std::optional<std::uint32_t> OrImmediate(std::string_view code,
                                         std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (At(code, i) == 0x80 && At(code, i + 1) == 0xcc) {
      return static_cast<std::uint32_t>(At(code, i + 2)) << 8;
    }
    if (At(code, i) != 0x81 || ((At(code, i + 1) >> 3) & 7) != 1) continue;
    const std::size_t length = OperandLength(code, i + 1);
    if (length == 0) continue;
    const bool word = i > 0 && At(code, i - 1) == 0x66;
    const std::size_t imm = i + 1 + length;
    std::uint32_t value = At(code, imm) | At(code, imm + 1) << 8;
    if (!word) value |= At(code, imm + 2) << 16 | At(code, imm + 3) << 24;
    return value;
  }
  return std::nullopt;
}

constexpr std::string_view kMxcsrOp = "\x0f\xae";  // /3 stmxcsr, /2 ldmxcsr
constexpr std::string_view kX87Op = "\xd9";        // /7 fnstcw, /5 fldcw

std::optional<StartupEffect> MxcsrEffect(std::string_view code) {
  const std::size_t store = FindOp(code, kMxcsrOp, 3, 0);
  if (store == std::string_view::npos) return std::nullopt;
  const std::size_t load = FindOp(code, kMxcsrOp, 2, store);
  if (load == std::string_view::npos) return std::nullopt;
  const std::optional<std::uint32_t> bits = OrImmediate(code, store, load);
  const bool ftz = bits && (*bits & 0x8000) != 0;
  const bool daz = bits && (*bits & 0x0040) != 0;
  StartupEffect effect;
  if (ftz || daz) {
    effect.what = std::string("sets ") +
                  (ftz && daz ? "FTZ and DAZ" : ftz ? "FTZ" : "DAZ") +
                  " in MXCSR (denormal numbers read and computed as zero) "
                  "in the thread that loads it and every thread that "
                  "thread starts later";
  } else {
    effect.what = "changes MXCSR (the SSE floating-point control register) "
                  "in the thread that loads it";
  }
  effect.cause =
      "crtfastmath.o, which GCC 12 and Clang 14 link into a shared object "
      "given -ffast-math, -Ofast or -funsafe-math-optimizations at link time";
  effect.fix =
      "link the plugin without those options (compiling with them is "
      "fine): drop them from its link options, or add -fno-fast-math after "
      "-ffast-math on the link line";
  return effect;
}

std::optional<StartupEffect> X87Effect(std::string_view code) {
  const std::size_t store = FindOp(code, kX87Op, 7, 0);
  if (store == std::string_view::npos) return std::nullopt;
  const std::size_t load = FindOp(code, kX87Op, 5, store);
  if (load == std::string_view::npos) return std::nullopt;
  // crtprec clears the precision control (bits 8-9) and ORs in its own.
  const std::optional<std::uint32_t> bits = OrImmediate(code, store, load);
  const std::uint32_t precision = bits ? (*bits >> 8) & 3 : 0;
  if (precision == 3) return std::nullopt;  // 64-bit mantissa: the default
  StartupEffect effect;
  effect.what = std::string("lowers the x87 precision to a ") +
                (precision == 2 ? "53" : "24") +
                "-bit mantissa in the thread that loads it and every thread "
                "that thread starts later (x87 arithmetic, long double "
                "included, loses precision)";
  effect.cause = precision == 2 ? "crtprec64.o, which GCC links given -mpc64"
                                : "crtprec32.o, which GCC links given -mpc32";
  effect.fix = "link the plugin without -mpc32 or -mpc64";
  return effect;
}

// The bytes up to the first that may end the function (ret, or jmp to
// another): the window read may run into the next function, whose code is
// not start-up code (it could save and restore MXCSR, harmlessly). A 0xc3 or
// 0xe9 inside an instruction only shortens the window; the start-up objects'
// own sequences contain neither before their final store.
// The code up to the function's first `ret` or `jmp` (crtfastmath's and
// crtprec's constructors end there), and whether a byte of it could belong
// to an instruction that touches a floating-point control register (0x0f
// 0xae: stmxcsr/ldmxcsr; 0xd9: fnstcw/fldcw). One pass: every start-up
// function of every verified plugin comes through here.
struct FunctionPrefix {
  std::string_view code;
  bool may_touch_fp_control = false;
};

FunctionPrefix ScanFunctionStart(std::string_view code) {
  FunctionPrefix prefix{code, false};
  std::size_t i = 0;
#if defined(__SSE2__)
  // 16 bytes at a time: a mask of the bytes that may end the function, and
  // one of those that may touch a control register.
  for (; i + 16 <= code.size(); i += 16) {
    const __m128i bytes =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(code.data() + i));
    auto is = [&bytes](int byte) {
      return _mm_cmpeq_epi8(bytes, _mm_set1_epi8(static_cast<char>(byte)));
    };
    const unsigned ends =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(is(0xc3), is(0xe9))));
    unsigned touches =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(is(0xae), is(0xd9))));
    if (ends != 0) {
      const unsigned first = static_cast<unsigned>(__builtin_ctz(ends));
      touches &= (1u << first) - 1;
      prefix.may_touch_fp_control |= touches != 0;
      prefix.code = code.substr(0, i + first);
      return prefix;
    }
    prefix.may_touch_fp_control |= touches != 0;
  }
#endif
  for (; i < code.size(); ++i) {
    const auto byte = static_cast<std::uint8_t>(code[i]);
    if (byte == 0xc3 || byte == 0xe9) {
      prefix.code = code.substr(0, i);
      break;
    }
    if (byte == 0xae || byte == 0xd9) prefix.may_touch_fp_control = true;
  }
  return prefix;
}

}  // namespace

std::optional<StartupEffect> StartupEffectOf(uint16_t machine,
                                             std::string_view code) {
  if (machine != EM_X86_64) return std::nullopt;
  const FunctionPrefix prefix = ScanFunctionStart(code);
  if (!prefix.may_touch_fp_control) return std::nullopt;
  code = prefix.code;
  if (std::optional<StartupEffect> mxcsr = MxcsrEffect(code)) return mxcsr;
  return X87Effect(code);
}

}  // namespace preload::internal
