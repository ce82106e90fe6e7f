// Copyright the PreloadSDK authors.
//
// cli/internal/flags.h — the tool's flags, defined with Abseil flags. Each command
// accepts only the ones its CommandSpec lists (see args.h).
#ifndef PRELOAD_CLI_INTERNAL_FLAGS_H_
#define PRELOAD_CLI_INTERNAL_FLAGS_H_

#include <string>
#include <vector>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(std::string, against);
ABSL_DECLARE_FLAG(std::string, policy);
ABSL_DECLARE_FLAG(bool, all);
ABSL_DECLARE_FLAG(bool, allow_insecure);
ABSL_DECLARE_FLAG(bool, direct);
ABSL_DECLARE_FLAG(std::string, dir);
ABSL_DECLARE_FLAG(std::vector<std::string>, abi);
ABSL_DECLARE_FLAG(std::vector<std::string>, trusted_key);
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, key);
ABSL_DECLARE_FLAG(bool, quiet);

#endif  // PRELOAD_CLI_INTERNAL_FLAGS_H_
