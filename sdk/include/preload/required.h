// Copyright the PreloadSDK authors.
//
// preload/required.h — a plugin's typed access to the exports of the plugins
// it requires (add_preload_plugin(<p> ... REQUIRES codec_core>=1.2),
// docs/requirements.md).
//
//   #include <preload/plugin.h>
//   #include <preload/required.h>
//
//   PRELOAD_PLUGIN_INIT() {
//     absl::StatusOr<int (*)(int)> frames =
//         preload::LookupRequired<int(int)>("codec_core", "Frames");
//     if (!frames.ok()) return frames.status();
//     ...
//   }
//
// The loader loads and initialises every plugin a plugin requires before the
// plugin's own init runs, so the lookup works from the init on. As with
// Plugin::Lookup, the type must be exactly the export's: a different one is
// InvalidArgument naming both. A plugin links only PreloadSDK::headers, so
// this goes through one plain-C function the host executable exports,
// `preload_find_export_v1` (PreloadSDK::sdk adds the linker option), found at
// run time; everything here is inline.
#ifndef PRELOAD_REQUIRED_H_
#define PRELOAD_REQUIRED_H_

#include <dlfcn.h>

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "preload/plugin_abi.h"
#include "preload/type_name.h"

extern "C" {
/* Looks up export `name`, of type `type` (preload::TypeName spelling), of the
 * loaded plugin named `plugin`. Returns 0 and sets *address, or returns an
 * absl::StatusCode and reports the error's message through `report`. */
typedef int (*preload_find_export_fn)(const char* plugin, const char* name,
                                      const char* type, void** address,
                                      void* context, preload_report_fn report);
}

#define PRELOAD_FIND_EXPORT_SYMBOL "preload_find_export_v1"

namespace preload {
namespace required_internal {

inline void KeepMessage(void* context, int code, const char* message,
                        size_t length) {
  *static_cast<absl::Status*>(context) =
      absl::Status(static_cast<absl::StatusCode>(code),
                   absl::string_view(message, length));
}

}  // namespace required_internal

// The export `name` of the loaded plugin `plugin`, typed as Plugin::Lookup<T>
// types it. NotFound when no such plugin is loaded or it exports no such
// name; InvalidArgument when the types differ; Unavailable when the host
// executable was not linked with PreloadSDK::sdk.
template <typename T>
[[nodiscard]] absl::StatusOr<T*> LookupRequired(const std::string& plugin,
                                                const std::string& name) {
  void* symbol = ::dlsym(RTLD_DEFAULT, PRELOAD_FIND_EXPORT_SYMBOL);
  if (symbol == nullptr) {
    return absl::UnavailableError(
        "this executable does not export " PRELOAD_FIND_EXPORT_SYMBOL
        ": it was not linked with PreloadSDK::sdk");
  }
  absl::Status error = absl::UnknownError("the lookup reported nothing");
  void* address = nullptr;
  const int code = reinterpret_cast<preload_find_export_fn>(symbol)(
      plugin.c_str(), name.c_str(), TypeName<T>().c_str(), &address, &error,
      &required_internal::KeepMessage);
  if (code != 0) return error;
  if constexpr (std::is_function_v<T>) {
    return reinterpret_cast<T*>(address);
  } else {
    return static_cast<T*>(address);
  }
}

}  // namespace preload

#endif  // PRELOAD_REQUIRED_H_
