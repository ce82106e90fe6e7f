// Copyright the PreloadSDK authors.
//
// Everything Open does before mapping, and all that Verify does: resolve the
// name, open the file once, check who may have written it, (in sealed-copy
// mode) seal a copy, read the fingerprint note and compare it with the
// host's.
#include <fcntl.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "loader/internal/loader_state.h"
#include "loader/internal/sealed_copy.h"
#include "loader/internal/startup_check.h"
#include "preload/cpu.h"

namespace preload::internal {
namespace {

std::string FieldValue(bool present, const std::string& value) {
  return present ? absl::StrCat("\"", value, "\"") : "(absent)";
}

void TraceVerdict(const Tracer& trace, const Verdict& verdict,
                  const std::string& path) {
  int counts[4] = {0, 0, 0, 0};
  for (const FieldComparison& field : verdict.comparisons()) {
    ++counts[static_cast<int>(field.outcome)];
    trace.Line(TraceCategory::kVerify, "  ", field.field, ": ",
               ToAbsl(OutcomeName(field.outcome)), " (plugin ",
               FieldValue(field.plugin_present, field.plugin_value), ", host ",
               FieldValue(field.host_present, field.host_value), ")",
               field.hint.empty() ? "" : "; ", field.hint);
  }
  trace.Line(TraceCategory::kVerify, path, ": fingerprint ",
             verdict.accepted() ? "accepted" : "refused", " (",
             counts[static_cast<int>(Outcome::kEqual)], " equal, ",
             counts[static_cast<int>(Outcome::kAllowed)], " allowed, ",
             counts[static_cast<int>(Outcome::kRefused)], " refused, ",
             counts[static_cast<int>(Outcome::kInformational)],
             " informational)");
}

}  // namespace

absl::Status LoaderState::VerifyFingerprint(const Fingerprint& plugin,
                                            const std::string& path) const {
  // The verdict, its listing and its words are made only for a refusal or
  // a trace.
  if (!trace->enabled(TraceCategory::kVerify) &&
      AcceptedWithModel(*host_model, plugin, policy)) {
    return absl::OkStatus();
  }
  const Verdict verdict = CompareWithModel(*host_model, plugin, policy);
  if (trace->enabled(TraceCategory::kVerify)) {
    trace->Line(TraceCategory::kVerify, path, ": plugin ", ToAbsl(plugin.name()),
                " ", ToAbsl(plugin.version()), ", compared under the ",
                ToAbsl(PolicyName(policy)), " policy with ", DescribeHost());
    TraceVerdict(*trace, verdict, path);
  }
  return verdict.ToStatus(path);
}

// The trust step of both ways of opening a file: `check` is the one that
// fits the way it was opened. The real path, which the trust check finds on
// its way, is otherwise only asked of the kernel for a file to be loaded.
absl::Status LoaderState::Trust(PluginFile& file, const std::string& path,
                                bool to_load, TrustCheck check) const {
  if (!check_file_trust) {
    trace->Line(TraceCategory::kVerify, path,
                ": file trust: not checked (turned off for this loader)");
    file.path = to_load ? RealPathOfDescriptor(file.fd.get(), path) : path;
    return absl::OkStatus();
  }
  absl::StatusOr<TrustedFile> trusted =
      check(trace->enabled(TraceCategory::kVerify));
  if (!trusted.ok()) return trusted.status();
  trace->Line(TraceCategory::kVerify, path, ": file trust: ", trusted->description);
  file.path = std::move(trusted->real_path);
  return absl::OkStatus();
}

// Opens the file `path` names and checks who may have written it.
absl::StatusOr<PluginFile> LoaderState::Open(const std::string& path,
                                             bool to_load) const {
  PluginFile file;
  absl::StatusOr<UniqueFd> fd = OpenRegularFile(path, file.verified);
  if (!fd.ok()) return fd.status();
  file.Take(*std::move(fd));
  absl::Status trusted = Trust(file, path, to_load, [&](bool describe) {
    return CheckFileTrust(path, file.fd.get(), file.verified, describe);
  });
  if (!trusted.ok()) return trusted;
  return file;
}

// The entry of a checked directory that `path` names, opened relative to the
// directory's descriptor: the trust walk above the file was made once for
// the directory. Anything that would leave the directory (a symlink: ELOOP
// under O_NOFOLLOW) or fail there, and every entry of a directory that was
// refused, is opened the whole way by its path, which gives Verify's own
// verdict and words.
// A batched scan (batch_scan.cc) has opened the entry already, and fetched
// its fstat and first page where it could: `fetched`.
absl::StatusOr<PluginFile> LoaderState::OpenEntry(
    const CheckedDirectory& directory, const std::string& path, bool to_load,
    FetchedFile* fetched) const {
  const std::string_view name = std::string_view(path).substr(directory.prefix.size());
  if (!IsEntryName(name) || (check_file_trust && !directory.trusted)) {
    return Open(path, to_load);
  }
  UniqueFd opened =
      fetched != nullptr
          ? std::move(fetched->fd)
          : UniqueFd(::openat(directory.fd.get(), name.data(),
                              kPluginOpenFlags | O_NOFOLLOW));
  if (!opened.valid()) return Open(path, to_load);
  PluginFile file;
  absl::StatusOr<UniqueFd> fd =
      fetched != nullptr && fetched->info
          ? RegularFileAs(std::move(opened), path, file.verified = *fetched->info)
          : RegularFile(std::move(opened), path, file.verified);
  if (!fd.ok()) return fd.status();
  file.Take(*std::move(fd));
  absl::Status trusted = Trust(file, path, to_load, [&](bool describe) {
    return CheckEntryTrust(*directory.trusted, name, file.verified, describe);
  });
  if (!trusted.ok()) return trusted;
  return file;
}

// Replaces the file by a sealed copy of it, which is then verified and mapped.
absl::Status LoaderState::SealCopy(PluginFile& file) const {
  absl::StatusOr<SealedCopy> copy = MakeSealedCopy(file.fd.get(), file.path);
  if (!copy.ok()) return copy.status();
  // A copy taken while the file was being written could mix two versions.
  if (absl::Status unchanged =
          CheckStillAs(file.fd.get(), file.verified, file.path,
                       "changed while it was being copied", "so the copy was dropped");
      !unchanged.ok()) {
    return unchanged;
  }
  trace->Line(TraceCategory::kVerify, file.path, ": sealed copy: ", copy->size,
              " bytes copied into a sealed "
              "memfd; the copy is what is verified and mapped");
  file.fd = std::move(copy->fd);
  file.size = copy->size;
  file.sealed = true;
  return absl::OkStatus();
}

// With trusted keys or allowed digests: the bytes that will be mapped (the
// descriptor, or its sealed copy) hashed and their signature or digest
// checked, before anything else of the file is read. Without a sealed copy,
// Load's change check refuses a file written to after this.
absl::Status LoaderState::CheckSigned(const PluginFile& file) const {
  if (!provenance.required()) return absl::OkStatus();
  return CheckProvenance(provenance, file.fd.get(), file.size, file.path, *trace);
}

absl::StatusOr<PluginFile> LoaderState::OpenAndVerify(
    std::string_view spec, bool to_load, const CheckedDirectory* in,
    FetchedFile* fetched) const {
  absl::StatusOr<std::string> resolved = Resolve(spec);
  if (!resolved.ok()) return resolved.status();
  const std::string& path = *resolved;
  auto refused = [this, &path](absl::Status status) {
    trace->Line(TraceCategory::kVerify, path, ": not accepted: ", FirstLine(status));
    return status;
  };
  absl::StatusOr<PluginFile> file =
      in == nullptr ? Open(path, to_load) : OpenEntry(*in, path, to_load, fetched);
  if (!file.ok()) return refused(file.status());
  if (to_load && sealed_copy) {
    if (absl::Status sealed = SealCopy(*file); !sealed.ok()) return refused(sealed);
  }
  if (absl::Status signed_ = CheckSigned(*file); !signed_.ok()) {
    return refused(signed_);
  }
  // One reader of the file's first page and program headers, shared by the
  // note and the start-up code.
  ElfFile elf(file->fd.get(), file->size, path);
  if (fetched != nullptr && fetched->first_bytes) {
    elf.UsePrefetched(*fetched->first_bytes, fetched->asked_bytes);
    for (std::size_t i = 0; i < fetched->more_count; ++i) {
      elf.UsePrefetchedRange(fetched->more[i].offset, fetched->more[i].bytes);
    }
  }
  absl::StatusOr<Fingerprint> fingerprint = ReadPluginFingerprint(elf, *host_model);
  if (!fingerprint.ok()) return refused(fingerprint.status());
  if (absl::Status verdict = VerifyFingerprint(*fingerprint, path); !verdict.ok()) {
    return verdict;
  }
  // The plugin against the machine, whatever the host was built for.
  if (absl::Status cpu = CheckCpu(*fingerprint, path); !cpu.ok()) {
    return refused(cpu);
  }
  // Code the dynamic loader would run on mapping, whatever the fingerprint
  // says: start-up objects come in through the link line.
  if (absl::Status startup = CheckStartupEffects(elf); !startup.ok()) {
    return refused(startup);
  }
  if (absl::Status symbol = CheckDescriptorSymbol(*fingerprint, path);
      !symbol.ok()) {
    return refused(symbol);
  }
  if (to_load) {
    // Named as the mapping step names it: by its real path.
    elf.Rename(file->path);
    ElfDynamic dynamic;
    absl::Status read = ReadDynamicSection(elf, &dynamic);
    file->dynamic = read.ok() ? absl::StatusOr<ElfDynamic>(std::move(dynamic))
                              : absl::StatusOr<ElfDynamic>(read);
  }
  file->fingerprint = *std::move(fingerprint);
  return file;
}

}  // namespace preload::internal
