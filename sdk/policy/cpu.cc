// Copyright the PreloadSDK authors.
#include "preload/cpu.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/internal/string_view.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace preload {
namespace {

using internal::ToAbsl;

#if defined(__x86_64__) || defined(__i386__)

// cpuid leaf 7 (sub-leaf `sub`) registers, or zeros where it does not exist.
struct Leaf7 {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};
Leaf7 ReadLeaf7(unsigned sub) {
  Leaf7 leaf;
  if (!__get_cpuid_count(7, sub, &leaf.eax, &leaf.ebx, &leaf.ecx, &leaf.edx)) {
    return Leaf7{};
  }
  return leaf;
}

// Features that both GCC's and Clang's __builtin_cpu_supports know; the
// builtin also checks that the kernel saves the wider registers.
bool BuiltinSupports(std::string_view f) {
#define PRELOAD_CPU(name) \
  if (f == name) return __builtin_cpu_supports(name);
  PRELOAD_CPU("sse3") PRELOAD_CPU("ssse3") PRELOAD_CPU("sse4.1")
  PRELOAD_CPU("sse4.2") PRELOAD_CPU("popcnt") PRELOAD_CPU("aes")
  PRELOAD_CPU("pclmul") PRELOAD_CPU("avx") PRELOAD_CPU("avx2")
  PRELOAD_CPU("fma") PRELOAD_CPU("bmi") PRELOAD_CPU("bmi2")
  PRELOAD_CPU("gfni") PRELOAD_CPU("vpclmulqdq") PRELOAD_CPU("avx512f")
  PRELOAD_CPU("avx512bw") PRELOAD_CPU("avx512cd") PRELOAD_CPU("avx512dq")
  PRELOAD_CPU("avx512vl") PRELOAD_CPU("avx512ifma") PRELOAD_CPU("avx512vbmi")
  PRELOAD_CPU("avx512vnni") PRELOAD_CPU("avx512bf16")
  PRELOAD_CPU("avx512vp2intersect")
#undef PRELOAD_CPU
  return false;
}

// The rest, read from cpuid. Those that use AVX registers also need the
// kernel's AVX (or AVX-512) state, which the builtin checks for "avx".
bool CpuidSupports(std::string_view f) {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (f == "f16c" || f == "movbe") {
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
    if (f == "movbe") return ecx & (1u << 22);
    return (ecx & (1u << 29)) && __builtin_cpu_supports("avx");
  }
  if (f == "lzcnt") {
    return __get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 5));
  }
  const Leaf7 leaf = ReadLeaf7(0);
  if (f == "sha") return leaf.ebx & (1u << 29);
  if (f == "vaes") return (leaf.ecx & (1u << 9)) && __builtin_cpu_supports("avx");
  if (f == "avx512fp16") {
    return (leaf.edx & (1u << 23)) && __builtin_cpu_supports("avx512f");
  }
  if (f == "amx-tile") return leaf.edx & (1u << 24);
  if (f == "avxvnni") {
    return (ReadLeaf7(1).eax & (1u << 4)) && __builtin_cpu_supports("avx");
  }
  return false;
}

bool Supports(std::string_view feature) {
  __builtin_cpu_init();
  return BuiltinSupports(feature) || CpuidSupports(feature);
}

#else

bool Supports(std::string_view) { return false; }

#endif

}  // namespace

bool CpuSupports(std::string_view feature) { return Supports(feature); }

std::vector<std::string> MissingCpuFeatures(const Fingerprint& plugin) {
  std::vector<std::string> missing;
  const std::string_view features = plugin.Get("cpu.features").value_or("");
  if (features.empty() || features == "baseline" || features == "n/a") {
    return missing;
  }
  for (absl::string_view feature :
       absl::StrSplit(ToAbsl(features), ',', absl::SkipEmpty())) {
    const std::string name(feature);
    if (!CpuSupports(name)) missing.push_back(name);
  }
  return missing;
}

absl::Status CheckCpu(const Fingerprint& plugin, std::string_view file) {
  const std::vector<std::string> missing = MissingCpuFeatures(plugin);
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      ToAbsl(file), ": compiled for instructions this CPU lacks: ",
      absl::StrJoin(missing, ", "),
      "; running it would end in SIGILL. Rebuild the plugin without the "
      "-m or -march flags that enable them (see its flags.* fields), or run "
      "it on a CPU that has them"));
}

}  // namespace preload
