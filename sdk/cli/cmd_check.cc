// Copyright the PreloadSDK authors.
//
// preload check PLUGIN... [--against HOST] [--policy P] — every field of each
// plugin's fingerprint compared with the host's, and its libraries.
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/internal/escape.h"
#include "cli/internal/cli.h"
#include "cli/internal/deps.h"
#include "cli/internal/flags.h"
#include "cli/internal/output.h"
#include "cli/internal/plugin_check.h"
#include "cli/internal/render.h"

namespace preload::cli {
namespace {

std::string HostLine(const Host& host) {
  const std::string keys =
      host.key_ids.empty()
          ? ""
          : absl::StrCat("; plugins must be signed by key ",
                         absl::StrJoin(host.key_ids, ", "));
  if (host.path.empty()) {
    return absl::StrCat("the preload tool's own fingerprint (",
                        Describe(host.fingerprint), ")", keys);
  }
  return absl::StrCat(internal::EscapeText(host.path), " (",
                      Describe(host.fingerprint), ")", keys);
}

Color ResultColor(const std::string& result) {
  return result == "compatible" ? Color::kGreen : Color::kRed;
}

void PrintText(const PluginCheck& check, Policy policy, bool all) {
  std::cout << Paint(internal::EscapeText(check.file.path), Color::kBold) << ": "
            << Paint(check.result, ResultColor(check.result));
  if (check.file.fingerprint) {
    std::cout << " (" << Describe(*check.file.fingerprint) << ", "
              << PolicyName(policy) << " policy)";
  }
  std::cout << "\n";
  if (check.signature.present) {
    std::cout << "  signature: " << SignatureText(check.signature) << "\n";
  }
  if (!check.verdict) {
    std::cout << "  " << internal::EscapeKeepingLines(check.reason) << "\n";
    return;
  }
  std::cout << VerdictToText(*check.verdict, "  ", all);
  if (check.verdict->accepted() &&
      check.result != "compatible" && !check.reason.empty() &&
      check.result != "missing_libraries" && check.result != "unsafe_libraries" &&
      check.result != "corrupt") {
    std::cout << "  the loader refuses it: "
              << internal::EscapeKeepingLines(check.reason) << "\n";
  }
  if (check.deps) {
    std::cout << "  " << Paint("libraries", Color::kBold) << ": "
              << DepsSummary(*check.deps) << "\n"
              << DepsToText(*check.deps, "    ", /*missing_only=*/!all);
  } else if (check.result == "corrupt") {
    std::cout << "  libraries: " << internal::EscapeKeepingLines(check.reason)
              << "\n";
  }
}

}  // namespace

int RunCheck(const std::vector<std::string>& args) {
  const bool json = absl::GetFlag(FLAGS_json);
  absl::StatusOr<Policy> policy = PolicyFromFlags();
  if (!policy.ok()) {
    PrintUsageError("check", policy.status(), absl::GetFlag(FLAGS_json));
    return kExitUsage;
  }
  absl::StatusOr<Host> host = HostFromFlags();
  if (!host.ok()) {
    PrintUsageError("check", host.status(), absl::GetFlag(FLAGS_json));
    return kExitUsage;
  }
  if (!json) std::cout << "host: " << HostLine(*host) << "\n\n";
  PluginChecker checker(*host, *policy);
  int status = kExitOk;
  Json results = Json::array();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const PluginCheck check = checker.Check(args[i]);
    status = Worse(status, check.exit_status);
    if (json) {
      results.push_back(PluginCheckToJson(check));
    } else {
      if (i > 0) std::cout << "\n";
      PrintText(check, *policy, absl::GetFlag(FLAGS_all));
    }
  }
  if (json) {
    PrintJson(Json{{"command", "check"},
                   {"policy", PolicyName(*policy)},
                   {"host", HostToJson(*host)},
                   {"results", std::move(results)},
                   {"exit_status", status}});
  }
  return status;
}

}  // namespace preload::cli
