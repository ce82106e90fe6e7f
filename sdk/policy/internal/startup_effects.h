// Copyright the PreloadSDK authors.
//
// policy/internal/startup_effects.h — what a library's start-up code would
// do to the whole process the moment it is mapped, told from its bytes.
//
// Some start-up objects that compiler drivers link into a shared object
// change process-wide floating-point state from a constructor, whatever the
// host wants: GCC 12's crtfastmath.o (linked, by GCC 12 and Clang 14, for
// -ffast-math, -Ofast or -funsafe-math-optimizations on the link line) sets
// flush-to-zero and denormals-are-zero in MXCSR; crtprec32.o and crtprec64.o
// (GCC's -mpc32, -mpc64) lower the x87 precision. No compile-time field can
// see them: the option may reach only the link line. Their code is what they
// are, so it is recognised by its instructions, which `strip` keeps:
// a read-modify-write of MXCSR (stmxcsr ... ldmxcsr) or of the x87 control
// word (fnstcw ... fldcw) in the first bytes of a start-up function.
//
//   std::optional<StartupEffect> effect = StartupEffectOf(EM_X86_64, code);
#ifndef PRELOAD_POLICY_INTERNAL_STARTUP_EFFECTS_H_
#define PRELOAD_POLICY_INTERNAL_STARTUP_EFFECTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace preload::internal {

// One change to the process's state, in words for a refusal.
struct StartupEffect {
  std::string what;   // "sets FTZ and DAZ in MXCSR (...)"
  std::string cause;  // the start-up object and the options that link it
  std::string fix;    // what to do instead
};

// What the function whose first bytes are `code` (machine code for the ELF
// machine `machine`) does to process-wide state, or nullopt when it does
// nothing this SDK recognises. Only x86-64 code is inspected. A constructor
// that sets the x87 precision the process already has (crtprec80.o, -mpc80:
// 64-bit mantissa, the Linux default) changes nothing and is not reported.
std::optional<StartupEffect> StartupEffectOf(uint16_t machine,
                                             std::string_view code);

}  // namespace preload::internal

#endif  // PRELOAD_POLICY_INTERNAL_STARTUP_EFFECTS_H_
