// Copyright the PreloadSDK authors.
//
// cli/internal/plugin_check.h — the whole verdict on one plugin file, shared by
// `check` and `scan`: is it a plugin, does its fingerprint pass the policy
// against the host (preload::Compare, confirmed by Loader::Verify), and can
// the dynamic loader find every library it needs.
#ifndef PRELOAD_CLI_INTERNAL_PLUGIN_CHECK_H_
#define PRELOAD_CLI_INTERNAL_PLUGIN_CHECK_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/internal/binary_file.h"
#include "cli/internal/deps.h"
#include "cli/internal/output.h"
#include "cli/internal/signature_info.h"
#include "loader/internal/checked_directory.h"
#include "preload/fingerprint.h"
#include "preload/loader.h"
#include "preload/policy.h"

namespace preload::internal {
struct LoaderState;
}  // namespace preload::internal

namespace preload::cli {

// What plugins are compared with: --against HOST, or the tool itself.
struct Host {
  Fingerprint fingerprint;
  std::string path;  // empty: the tool's own fingerprint
  // --trusted-key: the public keys' lines, added to those of the host's note.
  std::vector<std::string> trusted_keys;
  // The ids of every key a plugin must be signed by (the note's, then
  // --trusted-key's); empty: signatures are not required.
  std::vector<std::string> key_ids;
};

// Reads --against, --trusted-key and --policy. InvalidArgument (a usage
// error) for an unknown policy or an unreadable key; the file's own error for
// a host that cannot be read or carries no fingerprint, or that is a plugin.
[[nodiscard]] absl::StatusOr<Host> HostFromFlags();
[[nodiscard]] absl::StatusOr<Policy> PolicyFromFlags();
Json HostToJson(const Host& host);

// What the checker's loaders are made with: the host, the policy,
// --allow-insecure and --trusted-key.
LoaderOptions CheckerOptions(const Host& host, Policy policy);

struct PluginCheck {
  BinaryFile file;
  std::optional<Verdict> verdict;
  std::optional<DepsReport> deps;
  SignatureInfo signature;  // what PLUGIN.so.minisig names, unverified
  // compatible, refused, untrusted, unsigned, wrong_key, bad_signature,
  // not_allowed, missing_libraries, unsafe_libraries, not_plugin, corrupt
  // or error.
  std::string result;
  std::string reason;  // the first reason it is not compatible
  int exit_status = 0;
};

class PluginChecker {
 public:
  // What a check reads that no result depends on: `preload check` shows the
  // signature file beside a plugin (PluginCheck::signature); `preload scan`
  // shows none, and with kNone reads none, nor keeps the dependency report
  // (PluginCheck::deps stays empty; the result and reason are the same).
  enum class Extras { kSignatureFile, kNone };

  PluginChecker(const Host& host, Policy policy,
                Extras extras = Extras::kSignatureFile);
  ~PluginChecker();
  PluginCheck Check(const std::string& path);
  // The same check of the file `path`, an entry of `directory` (opened by
  // OpenDirectory; null: none): the loader then checks who may write the
  // file relative to the directory, whose own trust it checked once.
  PluginCheck Check(const std::string& path, const PluginDirectory* directory);
  [[nodiscard]] absl::StatusOr<PluginDirectory> OpenDirectory(
      std::string_view dir) const {
    return TheLoader().OpenDirectory(dir);
  }

  // A scan's quick way (entry_check.cc): the check of `path`, the entry
  // `name` of `directory` (from OpenScanDirectory), made on one read of the
  // file, shared with the loader: opened relative to the directory, fstat'ed
  // and its first page read once. Only for a plugin the loader accepts, with
  // a readable dynamic section: the result is then the one Check(path,
  // directory) gives, in the same words. Anything else returns nullopt, and
  // Check says what, in its own words.
  std::optional<PluginCheck> CheckAccepted(
      const std::string& path, std::string_view name,
      const internal::CheckedDirectory& directory);
  // The directory `dir` opened for CheckAccepted, its trust checked as
  // OpenDirectory checks it.
  [[nodiscard]] absl::StatusOr<internal::CheckedDirectory> OpenScanDirectory(
      std::string_view dir);

 private:
  void CheckDependencies(PluginCheck* check, const std::string& path);
  void CheckAndKeepDependencies(PluginCheck* check, const std::string& path);
  [[nodiscard]] absl::StatusOr<Fingerprint> Verify(
      const std::string& path, const PluginDirectory* directory) const;

  // CheckAccepted's loader, made on first use; and whether a descriptor
  // leaves the loader's reserve free (RLIMIT_NOFILE, asked once).
  const internal::LoaderState& ScanState();
  bool BelowDescriptorReserve(int fd);

  const Host& host_;
  Policy policy_;
  Extras extras_;
  // The loader of the ordinary check, made on first use: a scan whose files
  // all take CheckAccepted's way needs none.
  const Loader& TheLoader() const;
  mutable std::unique_ptr<Loader> loader_;
  DependencyResolver resolver_;
  std::unique_ptr<internal::LoaderState> scan_state_;
  std::optional<std::uint64_t> descriptor_limit_;  // 0: none
};

// The check as a JSON object (docs/cli.md, "check").
Json PluginCheckToJson(const PluginCheck& check);

}  // namespace preload::cli

#endif  // PRELOAD_CLI_INTERNAL_PLUGIN_CHECK_H_
