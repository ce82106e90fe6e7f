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

// The kernel must also save the registers an extension uses; the builtin
// checks that for its own features, and for "avx" and "avx512f", which the
// cpuid-read features below that use those registers ask for too.
#define PRELOAD_BUILTIN(name) \
  { name, [] { return __builtin_cpu_supports(name) != 0; } }

bool HasF16c() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 29)) &&
         __builtin_cpu_supports("avx");
}
bool HasMovbe() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 22));
}
bool HasLzcnt() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 5));
}
bool HasSha() { return ReadLeaf7(0).ebx & (1u << 29); }
bool HasVaes() {
  return (ReadLeaf7(0).ecx & (1u << 9)) && __builtin_cpu_supports("avx");
}
bool HasAvx512fp16() {
  return (ReadLeaf7(0).edx & (1u << 23)) && __builtin_cpu_supports("avx512f");
}
bool HasAmxTile() { return ReadLeaf7(0).edx & (1u << 24); }
bool HasAvxvnni() {
  return (ReadLeaf7(1).eax & (1u << 4)) && __builtin_cpu_supports("avx");
}

struct CpuFeature {
  std::string_view name;  // as in cpu.features
  bool (*supported)();
};

// Every feature this SDK can check: those both GCC's and Clang's
// __builtin_cpu_supports know, then the rest, read from cpuid.
constexpr CpuFeature kCpuFeatures[] = {
    PRELOAD_BUILTIN("sse3"),       PRELOAD_BUILTIN("ssse3"),
    PRELOAD_BUILTIN("sse4.1"),     PRELOAD_BUILTIN("sse4.2"),
    PRELOAD_BUILTIN("popcnt"),     PRELOAD_BUILTIN("aes"),
    PRELOAD_BUILTIN("pclmul"),     PRELOAD_BUILTIN("avx"),
    PRELOAD_BUILTIN("avx2"),       PRELOAD_BUILTIN("fma"),
    PRELOAD_BUILTIN("bmi"),        PRELOAD_BUILTIN("bmi2"),
    PRELOAD_BUILTIN("gfni"),       PRELOAD_BUILTIN("vpclmulqdq"),
    PRELOAD_BUILTIN("avx512f"),    PRELOAD_BUILTIN("avx512bw"),
    PRELOAD_BUILTIN("avx512cd"),   PRELOAD_BUILTIN("avx512dq"),
    PRELOAD_BUILTIN("avx512vl"),   PRELOAD_BUILTIN("avx512ifma"),
    PRELOAD_BUILTIN("avx512vbmi"), PRELOAD_BUILTIN("avx512vnni"),
    PRELOAD_BUILTIN("avx512bf16"), PRELOAD_BUILTIN("avx512vp2intersect"),
    {"f16c", HasF16c},             {"movbe", HasMovbe},
    {"lzcnt", HasLzcnt},           {"sha", HasSha},
    {"vaes", HasVaes},             {"avx512fp16", HasAvx512fp16},
    {"amx-tile", HasAmxTile},      {"avxvnni", HasAvxvnni},
};
#undef PRELOAD_BUILTIN

const CpuFeature* FindFeature(std::string_view name) {
  for (const CpuFeature& feature : kCpuFeatures) {
    if (feature.name == name) return &feature;
  }
  return nullptr;
}

bool Supports(std::string_view name) {
  __builtin_cpu_init();
  const CpuFeature* feature = FindFeature(name);
  return feature != nullptr && feature->supported();
}

#else

const void* FindFeature(std::string_view) { return nullptr; }
bool Supports(std::string_view) { return false; }

#endif

}  // namespace

bool CpuSupports(std::string_view feature) { return Supports(feature); }

bool IsKnownCpuFeature(std::string_view feature) {
  return FindFeature(feature) != nullptr;
}

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
