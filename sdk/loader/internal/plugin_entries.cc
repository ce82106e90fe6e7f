// Copyright the PreloadSDK authors.
#include "loader/internal/plugin_entries.h"

#include <dlfcn.h>

#include <cstddef>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "preload/version.h"

namespace preload::internal {
namespace {

absl::Status Malformed(std::string_view file, std::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat(ToAbsl(file), ": malformed export descriptor: ",
                   ToAbsl(what), "; rebuild the plugin with add_preload_plugin"));
}

// The usual cause is the plugin's own link: a version script or export list
// that hides every symbol it does not name, add_preload_plugin's descriptor
// too. The file was built by add_preload_plugin (it has the fingerprint), so
// "rebuild it with add_preload_plugin" alone would not help.
absl::Status NoDescriptor(std::string_view symbol, std::string_view file) {
  return absl::FailedPreconditionError(absl::StrCat(
      ToAbsl(file), ": has a fingerprint but no export descriptor: its "
      "dynamic symbols lack '", ToAbsl(symbol), "', so none of its exports "
      "can be found; if the plugin is linked with a version script or an "
      "export list, keep preload_descriptor_* global in it (global: "
      "preload_descriptor_*;), otherwise rebuild it with add_preload_plugin"));
}

absl::Status CheckDescriptor(const preload_descriptor_v1& descriptor,
                             std::string_view file) {
  if (descriptor.abi_version != PRELOAD_SDK_ABI_VERSION) {
    return Malformed(file, absl::StrCat("SDK ABI version ",
                                        descriptor.abi_version, ", expected ",
                                        PRELOAD_SDK_ABI_VERSION));
  }
  if (descriptor.entry_size != sizeof(preload_entry_v1)) {
    return Malformed(file, absl::StrCat("entry size ", descriptor.entry_size,
                                        ", expected ", sizeof(preload_entry_v1)));
  }
  const auto* begin = descriptor.entries_begin;
  const auto* end = descriptor.entries_end;
  if (begin == nullptr || end == nullptr || end < begin) {
    return Malformed(file, "its entry table is missing");
  }
  return absl::OkStatus();
}

absl::Status AddEntry(const preload_entry_v1& entry, std::string_view file,
                      absl::flat_hash_set<std::string>& names,
                      PluginEntries& out) {
  if (entry.kind == PRELOAD_ENTRY_INIT) {
    if (out.init != nullptr) {
      return Malformed(file, "PRELOAD_PLUGIN_INIT is defined more than once");
    }
    if (entry.address == nullptr || entry.address() == nullptr) {
      return Malformed(file, "the init entry has no function");
    }
    out.init = reinterpret_cast<preload_init_fn>(entry.address());
    return absl::OkStatus();
  }
  if (entry.kind != PRELOAD_ENTRY_EXPORT) return absl::OkStatus();
  if (entry.name == nullptr || entry.type_name == nullptr ||
      entry.address == nullptr) {
    return Malformed(file, "an export entry lacks its name, type or address");
  }
  std::string name = entry.name;
  if (!names.insert(name).second) {
    return Malformed(file, absl::StrCat("'", name,
                                        "' is exported more than once"));
  }
  out.exports.push_back({std::move(name), entry.type_name, entry.address()});
  return absl::OkStatus();
}

void ReportInto(void* context, int code, const char* message,
                std::size_t length) {
  auto* status = static_cast<absl::Status*>(context);
  constexpr int kLastCode = static_cast<int>(absl::StatusCode::kUnauthenticated);
  if (code < 0 || code > kLastCode) code = static_cast<int>(absl::StatusCode::kUnknown);
  *status = absl::Status(static_cast<absl::StatusCode>(code),
                         absl::string_view(message, message ? length : 0));
}

}  // namespace

absl::StatusOr<PluginEntries> ReadPluginEntries(void* handle,
                                                std::string_view symbol,
                                                std::string_view file) {
  const std::string symbol_name(symbol);
  const auto* descriptor =
      static_cast<const preload_descriptor_v1*>(::dlsym(handle, symbol_name.c_str()));
  if (descriptor == nullptr) return NoDescriptor(symbol_name, file);
  return ReadDescriptorEntries(*descriptor, file);
}

absl::StatusOr<PluginEntries> ReadDescriptorEntries(
    const preload_descriptor_v1& descriptor, std::string_view file) {
  if (absl::Status status = CheckDescriptor(descriptor, file); !status.ok()) {
    return status;
  }
  PluginEntries entries;
  absl::flat_hash_set<std::string> names;
  for (const auto* entry = descriptor.entries_begin;
       entry != descriptor.entries_end; ++entry) {
    if (absl::Status status = AddEntry(*entry, file, names, entries);
        !status.ok()) {
      return status;
    }
  }
  return entries;
}

std::string TypeOf(const ExportEntry& entry) {
  const char* type = entry.type_name();
  return type != nullptr ? type : "(no type name)";
}

absl::Status RunPluginInit(preload_init_fn init) {
  absl::Status status = absl::UnknownError("the init function reported nothing");
  init(&status, &ReportInto);
  return status;
}

}  // namespace preload::internal
