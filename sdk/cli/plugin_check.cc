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
#include "loader/internal/loader_state.h"
#include "loader/internal/provenance.h"
#include "preload/signing.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_split.h"

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

namespace {

// The host's keys: those its note records, then --trusted-key's.
absl::Status AddTrustedKeys(Host& host) {
  if (std::optional<std::string_view> recorded =
          host.fingerprint.Get(internal::kTrustedKeysField)) {
    for (absl::string_view key :
         absl::StrSplit(ToAbsl(*recorded), ' ', absl::SkipEmpty())) {
      absl::StatusOr<std::string> id = PublicKeyId(internal::FromAbsl(key));
      host.key_ids.push_back(id.ok() ? *id : "(unusable)");
    }
  }
  for (const std::string& file : absl::GetFlag(FLAGS_trusted_key)) {
    absl::StatusOr<std::string> key = ReadPublicKeyFile(file);
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--trusted-key ", key.status().message()));
    }
    host.key_ids.push_back(*PublicKeyId(*key));
    host.trusted_keys.push_back(*std::move(key));
  }
  return absl::OkStatus();
}

absl::StatusOr<Host> HostOfFile(const std::string& path);

}  // namespace

absl::StatusOr<Host> HostFromFlags() {
  const std::string path = absl::GetFlag(FLAGS_against);
  absl::StatusOr<Host> host =
      path.empty() ? Host{ToolFingerprint(), ""} : HostOfFile(path);
  if (!host.ok()) return host;
  if (absl::Status keys = AddTrustedKeys(*host); !keys.ok()) return keys;
  return host;
}

namespace {

absl::StatusOr<Host> HostOfFile(const std::string& path) {
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

}  // namespace

Json HostToJson(const Host& host) {
  return Json{{"path", host.path.empty() ? Json(nullptr) : Json(host.path)},
              {"source", host.path.empty() ? "tool" : "file"},
              {"kind", host.fingerprint.kind()},
              {"name", host.fingerprint.name()},
              {"version", host.fingerprint.version()},
              {"trusted_keys", host.key_ids}};
}

LoaderOptions CheckerOptions(const Host& host, Policy policy) {
  LoaderOptions options{policy, host.fingerprint};
  options.check_file_trust = !absl::GetFlag(FLAGS_allow_insecure);
  options.trusted_keys = host.trusted_keys;
  return options;
}

PluginChecker::PluginChecker(const Host& host, Policy policy, Extras extras)
    : host_(host),
      policy_(policy),
      extras_(extras),
      resolver_(SearchSettingsFromEnvironment()) {}

const Loader& PluginChecker::TheLoader() const {
  if (loader_ == nullptr) {
    loader_ = std::make_unique<Loader>(CheckerOptions(host_, policy_));
  }
  return *loader_;
}

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
  return TheLoader().Verify(path.find('/') == std::string::npos ? "./" + path : path);
}

PluginCheck PluginChecker::Check(const std::string& path,
                                 const PluginDirectory* directory) {
  PluginCheck check;
  ReadOptions read;
  read.startup_effects = false;  // the loader's own check refuses any
  read.exports = false;          // shown by inspect only
  read.dynamic_section = true;   // for the resolver, through the same descriptor
  check.file = ReadBinary(path, read);
  if (check.file.kind != FileKind::kPreload) {
    Refuse(&check, std::string(ResultName(check.file.kind)),
           check.file.message, ExitStatusOf(check.file.kind));
    return check;
  }
  const Fingerprint& plugin = *check.file.fingerprint;
  if (extras_ == Extras::kSignatureFile) check.signature = ReadSignatureInfo(path);
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
    // could have written the file, who signed it): its word is final. Who
    // may write or who signed the file says nothing of how it was built:
    // results of their own.
    const absl::optional<absl::Cord> provenance =
        verified.status().GetPayload(ToAbsl(internal::kProvenancePayload));
    const bool untrusted =
        !provenance &&
        verified.status().code() == absl::StatusCode::kPermissionDenied;
    if (provenance) {
      const std::string kind(*provenance);
      Refuse(&check, kind == "io" ? "error" : kind,
             std::string(verified.status().message()),
             kind == "io" ? kExitUsage : kExitRefused);
    } else {
      Refuse(&check, untrusted ? "untrusted" : "refused",
             absl::StrCat(verified.status().message(),
                          untrusted ? " (--allow-insecure checks the rest)" : ""),
             kExitRefused);
    }
  }
  if (extras_ == Extras::kNone) {
    CheckDependencies(&check, path);
  } else {
    CheckAndKeepDependencies(&check, path);
  }
  if (check.result.empty()) check.result = "compatible";
  return check;
}

// The libraries the plugin needs: all found, none in a place others could
// write. Whoever may write a library the plugin needs chooses code it runs.
void PluginChecker::CheckDependencies(PluginCheck* check, const std::string& path) {
  absl::StatusOr<DepsOutcome> deps =
      resolver_.Outcome(path, *check->file.dynamic, /*recursive=*/true);
  if (!deps.ok()) {
    Refuse(check, "corrupt", std::string(deps.status().message()), kExitRefused);
    return;
  }
  if (deps->missing) Refuse(check, "missing_libraries", deps->summary, kExitRefused);
  if (deps->unsafe) Refuse(check, "unsafe_libraries", deps->summary, kExitRefused);
}

// The same, keeping the whole report for the caller to show.
void PluginChecker::CheckAndKeepDependencies(PluginCheck* check_ptr,
                                             const std::string& path) {
  PluginCheck& check = *check_ptr;
  absl::StatusOr<DepsReport> deps =
      resolver_.Resolve(path, *check.file.dynamic, /*recursive=*/true);
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
  out["signature"] = SignatureToJson(check.signature);
  out["dependencies"] = check.deps ? DepsToJson(*check.deps) : Json(nullptr);
  return out;
}

}  // namespace preload::cli
