// Copyright the PreloadSDK authors.
//
// preload/cpu.h — does the running CPU have the instructions a plugin was
// compiled to use?
//
// A plugin built with -mavx512f or -march=x86-64-v4 may execute AVX-512
// instructions anywhere, even in a static constructor; on a CPU without them
// the process dies of SIGILL. The fingerprint's `cpu.features` field lists the
// extensions the compiler was allowed to use; this compares it with the CPU
// the process runs on, not with the host's build.
//
//   std::vector<std::string> missing = preload::MissingCpuFeatures(plugin_fp);
//   // e.g. {"avx512f", "avx512bw"}
#ifndef PRELOAD_CPU_H_
#define PRELOAD_CPU_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "preload/fingerprint.h"

namespace preload {

// True if the running CPU (and the kernel, for register state) supports the
// feature, named as in `cpu.features` ("avx2", "sse4.2", "avx512f", ...).
// False for a name this SDK does not know.
bool CpuSupports(std::string_view feature);

// True if CpuSupports can answer for the feature on this machine; a feature
// it cannot answer for is reported missing, so that a plugin using it is
// refused rather than run.
bool IsKnownCpuFeature(std::string_view feature);

// The features of `plugin`'s `cpu.features` field that the running CPU lacks,
// in field order. Empty when the field is absent, "baseline" or "n/a".
std::vector<std::string> MissingCpuFeatures(const Fingerprint& plugin);

// OkStatus, or FailedPrecondition naming `file` and every missing feature.
absl::Status CheckCpu(const Fingerprint& plugin, std::string_view file);

}  // namespace preload

#endif  // PRELOAD_CPU_H_
