// Copyright the PreloadSDK authors.
//
// A LoaderState made from LoaderOptions: the host's fingerprint chosen, the
// search path kept for the first bare name.
#include "loader/internal/loader_state.h"

#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "preload/elf_notes.h"

namespace preload::internal {
namespace {

// The running executable's own note, if it has one (target_preload_host).
// Read and parsed once per process: it cannot change, and copies share it.
const std::optional<Fingerprint>& ExecutableFingerprint() {
  static const auto* const own = [] {
    for (const ElfNote& note : FindNotesOfThisProgram(kNoteOwner, kNoteType)) {
      absl::StatusOr<Fingerprint> parsed = Fingerprint::Parse(note.desc);
      if (parsed.ok()) return new std::optional<Fingerprint>(*std::move(parsed));
    }
    return new std::optional<Fingerprint>();
  }();
  return *own;
}

// The host a loader compares with when its options name none, and the
// model of it every comparison uses. Both are made once per process: the
// executable's note and the SDK's own fingerprint cannot change, and the
// model costs tens of thousands of instructions, which a host making a
// loader per plugin would otherwise pay per load. A function-local static,
// so that its making is thread-safe in a way ThreadSanitizer sees.
struct DefaultHost {
  LoaderState::HostSource source;
  Fingerprint fingerprint;
  std::shared_ptr<const HostModel> model;
};

const DefaultHost& TheDefaultHost() {
  static const auto* const host = [] {
    const std::optional<Fingerprint>& own = ExecutableFingerprint();
    Fingerprint fingerprint = own ? *own : SdkFingerprint();
    auto model = std::make_shared<const HostModel>(fingerprint);
    return new DefaultHost{own ? LoaderState::HostSource::kExecutable
                               : LoaderState::HostSource::kSdk,
                           std::move(fingerprint), std::move(model)};
  }();
  return *host;
}

}  // namespace

LoaderState::LoaderState(LoaderOptions options)
    : policy(options.policy),
      // Sets host_source, declared (so initialised) before host.
      host([this, &options] {
        if (options.host_fingerprint) return *std::move(options.host_fingerprint);
        host_source = TheDefaultHost().source;
        return TheDefaultHost().fingerprint;
      }()),
      // A host given in the options gets a model of its own; the default
      // host's is shared by every loader of the process.
      host_model(host_source == HostSource::kOption
                     ? std::make_shared<const HostModel>(host)
                     : TheDefaultHost().model),
      name(std::move(options.name)),
      check_file_trust(options.check_file_trust),
      sealed_copy(options.sealed_copy),
      library_path(std::move(options.library_path)),
      directory_reads(options.directory_reads),
      provenance(MakeProvenance(options.trusted_keys, options.allowed_sha256, host)),
      trace(std::make_shared<const Tracer>(std::move(options.trace))),
      search_path_(std::move(options.search_path)),
      default_search_path_(options.default_search_path) {
  if (trace->enabled(TraceCategory::kVerify)) {  // DescribeHost() builds text
    trace->Line(TraceCategory::kVerify, "loader '", name, "': policy ",
                ToAbsl(PolicyName(policy)), ", plugins are compared with ",
                DescribeHost());
    if (!provenance.keys.empty()) {
      trace->Line(TraceCategory::kVerify, "loader '", name,
                  "': plugins must be signed by ", provenance.DescribeKeys());
    }
  }
}

std::string LoaderState::DescribeHost() const {
  const std::string identity = absl::StrCat(
      ToAbsl(host.kind()), " ", ToAbsl(host.name()),
      host.version().empty() ? "" : " ", ToAbsl(host.version()));
  switch (host_source) {
    case HostSource::kOption:
      return absl::StrCat("the fingerprint given in LoaderOptions (", identity, ")");
    case HostSource::kExecutable:
      return absl::StrCat("the host's own fingerprint note (", identity, ")");
    case HostSource::kSdk:
      break;
  }
  return absl::StrCat(
      "the SDK's own fingerprint (", identity, "): the host has no fingerprint "
      "note of its own, so the SDK's is used; give the host one with "
      "target_preload_host");
}

absl::StatusOr<std::string> LoaderState::Resolve(std::string_view spec) const {
  static const auto* const kNone = new std::vector<SearchDirectory>;
  if (!IsBareName(spec)) return ResolvePlugin(spec, *kNone, *trace);
  std::call_once(search_dirs_once_, [this] {
    search_dirs_ = std::make_unique<const std::vector<SearchDirectory>>(
        MakeSearchPath(search_path_, default_search_path_));
  });
  return ResolvePlugin(spec, *search_dirs_, *trace);
}

}  // namespace preload::internal
