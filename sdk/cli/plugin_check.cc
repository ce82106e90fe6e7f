// Copyright the PreloadSDK authors.
#include "cli/internal/plugin_check.h"

#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/internal/cli.h"
#include "cli/internal/flags.h"
#include "cli/internal/render.h"
#include "base/internal/string_view.h"

namespace preload::cli {
namespace {

using internal::ToAbsl;

void Refuse(PluginCheck* check, std::string result, std::string reason,
            int status) {
  if (!check->result.empty() && check->result != "compatible") return;
  check->result = std::move(result);
  check->reason = std::move(reason);
  check->exit_status = status;
}

std::string FirstRefusal(const Verdict& verdict) {
  for (const FieldComparison& c : verdict.comparisons()) {
    if (c.outcome != Outcome::kRefused) continue;
    return absl::StrCat(
        c.field, ": plugin has ", c.plugin_present ? c.plugin_value : "nothing",
        ", host has ", c.host_present ? c.host_value : "nothing", "; ", c.hint);
  }
  return "";
}

}  // namespace

absl::StatusOr<Policy> PolicyFromFlags() {
  return ParsePolicy(absl::GetFlag(FLAGS_policy));
}

absl::StatusOr<Host> HostFromFlags() {
  const std::string path = absl::GetFlag(FLAGS_against);
  if (path.empty()) return Host{ToolFingerprint(), ""};
  BinaryFile file = ReadBinary(path);
  if (file.kind == FileKind::kIoError) {
    return absl::NotFoundError(file.message);
  }
  if (file.kind == FileKind::kNotPreload && file.elf) {
    // The likeliest mistake: the host exists but was built without
    // target_preload_host. Worded as the loader's refusal words it.
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": carries no PreloadSDK fingerprint note: ",
                     ToAbsl(NoHostFingerprintHint())));
  }
  if (file.kind != FileKind::kPreload) {
    return absl::FailedPreconditionError(absl::StrCat(
        file.message, " (--against names a host executable built with "
        "target_preload_host)"));
  }
  if (file.fingerprint->kind() == "plugin") {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": is a PreloadSDK plugin; --against names a host executable "
        "built with target_preload_host"));
  }
  return Host{*std::move(file.fingerprint), path};
}

Json HostToJson(const Host& host) {
  return Json{{"path", host.path.empty() ? Json(nullptr) : Json(host.path)},
              {"source", host.path.empty() ? "tool" : "file"},
              {"kind", host.fingerprint.kind()},
              {"name", host.fingerprint.name()},
              {"version", host.fingerprint.version()}};
}

namespace {

LoaderOptions CheckerOptions(const Host& host, Policy policy) {
  LoaderOptions options{policy, host.fingerprint};
  options.check_file_trust = !absl::GetFlag(FLAGS_allow_insecure);
  return options;
}

}  // namespace

PluginChecker::PluginChecker(const Host& host, Policy policy)
    : host_(host),
      policy_(policy),
      loader_(CheckerOptions(host, policy)),
      resolver_(SearchSettingsFromEnvironment()) {}

PluginCheck PluginChecker::Check(const std::string& path) {
  return Check(path, nullptr);
}

// The loader's verdict on `path`, relative to `directory` when the path is
// one of its entries as PluginDirectory names them (the same verdict in the
// same words, for less).
absl::StatusOr<Fingerprint> PluginChecker::Verify(
    const std::string& path, const PluginDirectory* directory) const {
  if (directory != nullptr) {
    const std::string& dir = directory->path();
    const std::string prefix = absl::EndsWith(dir, "/") ? dir : dir + "/";
    if (path.size() > prefix.size() && absl::StartsWith(path, prefix) &&
        path.find('/', prefix.size()) == std::string::npos) {
      return directory->Verify(std::string_view(path).substr(prefix.size()));
    }
  }
  // A bare name would be searched for in the plugin path, so the file is
  // named as a path.
  return loader_.Verify(path.find('/') == std::string::npos ? "./" + path : path);
}

PluginCheck PluginChecker::Check(const std::string& path,
                                 const PluginDirectory* directory) {
  PluginCheck check;
  check.file = ReadBinary(path);
  if (check.file.kind != FileKind::kPreload) {
    Refuse(&check, std::string(ResultName(check.file.kind)),
           check.file.message, ExitStatusOf(check.file.kind));
    return check;
  }
  const Fingerprint& plugin = *check.file.fingerprint;
  if (plugin.kind() != "plugin") {
    Refuse(&check, "not_plugin",
           absl::StrCat(path, ": is a PreloadSDK ", ToAbsl(plugin.kind()),
                        ", not a plugin"),
           kExitRefused);
    return check;
  }
  check.verdict = Compare(host_.fingerprint, plugin, policy_);
  if (!check.verdict->accepted()) {
    Refuse(&check, "refused", FirstRefusal(*check.verdict), kExitRefused);
  } else if (absl::StatusOr<Fingerprint> verified = Verify(path, directory);
             !verified.ok()) {
    // The loader checks more than the fields (the descriptor, the CPU, who
    // could have written the file): its word is final. Who may write the
    // file says nothing of how it was built: a result of its own.
    const bool untrusted =
        verified.status().code() == absl::StatusCode::kPermissionDenied;
    Refuse(&check, untrusted ? "untrusted" : "refused",
           absl::StrCat(verified.status().message(),
                        untrusted ? " (--allow-insecure checks the rest)" : ""),
           kExitRefused);
  }
  absl::StatusOr<DepsReport> deps = resolver_.Resolve(path, true);
  if (!deps.ok()) {
    Refuse(&check, "corrupt", std::string(deps.status().message()),
           kExitRefused);
  } else {
    if (!deps->missing.empty()) {
      Refuse(&check, "missing_libraries", DepsSummary(*deps), kExitRefused);
    }
    // Whoever may write a library the plugin needs chooses code it runs.
    if (deps->unsafe() > 0) {
      Refuse(&check, "unsafe_libraries", DepsSummary(*deps), kExitRefused);
    }
    check.deps = *std::move(deps);
  }
  if (check.result.empty()) check.result = "compatible";
  return check;
}

Json PluginCheckToJson(const PluginCheck& check) {
  Json out = {{"path", check.file.path},
              {"result", check.result},
              {"reason", check.reason.empty() ? Json(nullptr)
                                              : Json(check.reason)}};
  if (check.file.fingerprint) {
    out["plugin"] = Json{{"kind", check.file.fingerprint->kind()},
                         {"name", check.file.fingerprint->name()},
                         {"version", check.file.fingerprint->version()}};
  } else {
    out["plugin"] = nullptr;
  }
  out["verdict"] = check.verdict ? VerdictToJson(*check.verdict) : Json(nullptr);
  out["dependencies"] = check.deps ? DepsToJson(*check.deps) : Json(nullptr);
  return out;
}

}  // namespace preload::cli
