// Copyright the PreloadSDK authors.
#include "loader/internal/startup_check.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/internal/string_view.h"
#include "elf/internal/startup_code.h"
#include "policy/internal/startup_effects.h"

namespace preload::internal {

namespace {

std::vector<std::string> DescribeEffects(const StartupCode& code) {
  std::vector<std::string> effects;
  for (const StartupFunction& function : code.functions) {
    const std::optional<StartupEffect> effect =
        StartupEffectOf(code.machine, function.code());
    if (!effect) continue;
    effects.push_back(absl::StrCat(
        "its start-up function at 0x", absl::Hex(function.address), " ",
        effect->what, "; that is ", effect->cause, ": ", effect->fix));
  }
  return effects;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> DescribeStartupEffects(
    int fd, uint64_t size, std::string_view file) {
  absl::StatusOr<StartupCode> code = ReadStartupCode(fd, size, file);
  if (!code.ok()) return code.status();
  return DescribeEffects(*code);
}

absl::Status CheckStartupEffects(const ElfFile& elf) {
  StartupCode code;
  if (absl::Status read = ReadStartupCode(elf, &code); !read.ok()) return read;
  const std::vector<std::string> effects = DescribeEffects(code);
  if (effects.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      ToAbsl(elf.file()),
      ": loading it would change the host process's floating-point state "
      "(refused under every policy):\n  ",
      absl::StrJoin(effects, "\n  ")));
}

}  // namespace preload::internal
