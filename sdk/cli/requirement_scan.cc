// Copyright the PreloadSDK authors.
#include "cli/internal/requirement_scan.h"

#include <sys/stat.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "cli/internal/cli.h"
#include "preload/requirements.h"

namespace preload::cli {
namespace {

using internal::ToAbsl;

void Fail(PluginCheck& check, const char* result, std::string reason) {
  check.result = result;
  check.reason = absl::StrCat(check.file.path, ": ", reason);
  check.exit_status = Worse(check.exit_status, kExitRefused);
}

// The reason `requirement` of the plugin at `path` fails in `dir`, or "".
// Sets `unsatisfied` when the file is fine but its version is not.
std::string CheckOne(const Requirement& requirement, const std::string& dir,
                     PluginChecker& checker, const PluginDirectory* directory,
                     bool& unsatisfied) {
  const std::string path = absl::StrCat(dir, requirement.name, ".so");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return absl::StrCat("requires '", requirement.name, "', but there is no ",
                        requirement.name, ".so in ", dir.empty() ? "./" : dir);
  }
  PluginCheck required = checker.Check(path, directory);
  if (required.result != "compatible") {
    return absl::StrCat("requires '", requirement.name, "', but ", path, " is ",
                        required.result, ": ", required.reason);
  }
  const Fingerprint& found = *required.file.fingerprint;
  if (found.name() != requirement.name) {
    return absl::StrCat("requires '", requirement.name, "', but ", path,
                        " is the plugin '",
                        ToAbsl(internal::EscapeText(found.name())), "'");
  }
  if (!requirement.SatisfiedBy(found.version())) {
    unsatisfied = true;
    return absl::StrCat("requires ", requirement.ToString(), ", but ", path,
                        " has ",
                        found.version().empty()
                            ? std::string("no version")
                            : absl::StrCat("version ", ToAbsl(found.version())),
                        ", which does not satisfy ", requirement.Constraint());
  }
  return "";
}

}  // namespace

void CheckRequirementsInDirectory(
    PluginCheck& check, PluginChecker& checker,
    absl::FunctionRef<const PluginDirectory*()> directory) {
  if (check.result != "compatible") return;
  absl::StatusOr<std::vector<Requirement>> needs =
      RequirementsOf(*check.file.fingerprint);
  if (!needs.ok()) {
    Fail(check, "corrupt", std::string(needs.status().message()));
    return;
  }
  const std::size_t slash = check.file.path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "" : check.file.path.substr(0, slash + 1);
  if (needs->empty()) return;
  const PluginDirectory* in = directory();
  for (const Requirement& requirement : *needs) {
    bool unsatisfied = false;
    std::string reason = CheckOne(requirement, dir, checker, in, unsatisfied);
    if (!reason.empty()) {
      Fail(check, unsatisfied ? "unsatisfied_requirements" : "missing_requirements",
           std::move(reason));
      return;
    }
  }
}

}  // namespace preload::cli
