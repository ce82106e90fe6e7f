// Copyright the PreloadSDK authors.
//
// preload/plugin.h — what a plugin's sources include.
//
// A plugin built with `add_preload_plugin` names what the host may look up and,
// optionally, code to run once it has been verified and mapped:
//
//   #include <preload/plugin.h>
//
//   std::string Greet(const std::string& name) { return "Hello, " + name + "!"; }
//   PRELOAD_EXPORT(Greet);
//
//   int answer = 42;
//   PRELOAD_EXPORT_AS("Answer", answer);
//
//   PRELOAD_PLUGIN_INIT() {            // optional; at most one per plugin
//     if (!ReadConfig()) return absl::FailedPreconditionError("no config");
//     return absl::OkStatus();
//   }
//
// The host then calls `plugin->Lookup<std::string(const std::string&)>("Greet")`
// and gets a typed pointer, or an error naming both types if they differ.
// Exports are constant data gathered by the linker: nothing runs before the
// loader has verified the plugin's fingerprint.
#ifndef PRELOAD_PLUGIN_H_
#define PRELOAD_PLUGIN_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "preload/plugin_abi.h"
#include "preload/type_name.h"
#include "preload/version.h"

namespace preload {
namespace plugin_internal {

// The spelling computed at run time: what the first entry ABI recorded. Kept
// for PRELOAD_INTERNAL_ENTRIES_WITHOUT_RECORDS, which builds a plugin as that
// SDK did, for the tests of the loader's and the CLI's handling of one.
template <typename T>
const char* TypeNameOf() {
  return TypeName<T>().c_str();
}

constexpr std::size_t Align4(std::size_t size) { return (size + 3) / 4 * 4; }

// One export record (<preload/plugin_abi.h>): an ELF note laid out as the
// linker and every note reader expect, 4-byte aligned and padded.
template <std::size_t kDescSize>
struct ExportNote {
  std::uint32_t namesz;
  std::uint32_t descsz;
  std::uint32_t type;
  char owner[Align4(sizeof(PRELOAD_NOTE_OWNER))];
  char desc[Align4(kDescSize)];
};

// The record's desc: format, kind, name NUL type NUL.
template <std::size_t kNameSize, std::size_t kTypeSize>
constexpr ExportNote<2 + kNameSize + 1 + kTypeSize + 1> MakeExportNote(
    char kind, std::string_view name, std::string_view type) {
  ExportNote<2 + kNameSize + 1 + kTypeSize + 1> note{};
  note.namesz = sizeof(PRELOAD_NOTE_OWNER);
  note.descsz = 2 + kNameSize + 1 + kTypeSize + 1;
  note.type = PRELOAD_EXPORT_NOTE_TYPE;
  for (std::size_t i = 0; i < sizeof(PRELOAD_NOTE_OWNER); ++i) {
    note.owner[i] = PRELOAD_NOTE_OWNER[i];
  }
  note.desc[0] = PRELOAD_EXPORT_RECORD_FORMAT;
  note.desc[1] = kind;
  for (std::size_t i = 0; i < kNameSize; ++i) note.desc[2 + i] = name[i];
  for (std::size_t i = 0; i < kTypeSize; ++i) {
    note.desc[2 + kNameSize + 1 + i] = type[i];
  }
  return note;
}

// The record of an export of type T named by the string literal `name` (an
// array, so that a pointer, whose characters are unknown here, is refused).
template <typename T, std::size_t kNameArray>
constexpr auto ExportNoteOf(const char (&name)[kNameArray]) {
  constexpr char kKind =
      std::is_function_v<T> ? PRELOAD_RECORD_FUNCTION : PRELOAD_RECORD_VARIABLE;
  return MakeExportNote<kNameArray - 1, kTypeName<T>.size()>(
      kKind, std::string_view(name, kNameArray - 1), kTypeName<T>);
}

// The type spelling as its record holds it, for the entry's type_name: the
// loader compares the very characters the file shows.
template <const auto* kNote, std::size_t kNameSize>
const char* RecordedType() {
  return kNote->desc + 2 + kNameSize + 1;
}

template <typename T>
void* ToVoidPointer(T* pointer) {
  if constexpr (std::is_function_v<T>) {
    return reinterpret_cast<void*>(pointer);
  } else {
    return const_cast<void*>(static_cast<const volatile void*>(pointer));
  }
}

template <auto* kSymbol>
void* AddressOf() {
  return ToVoidPointer(kSymbol);
}

inline void Report(void* context, preload_report_fn report,
                   const absl::Status& status) {
  const std::string message(status.message());
  report(context, static_cast<int>(status.code()), message.data(),
         message.size());
}

// Runs the user's init and turns its outcome, exceptions included, into a
// report: no exception crosses into the loader.
template <absl::Status (*kInit)()>
void RunInitReporting(void* context, preload_report_fn report) {
#if defined(__cpp_exceptions)
  try {
    Report(context, report, kInit());
  } catch (const std::exception& e) {
    Report(context, report,
           absl::InternalError(std::string("threw std::exception: ") + e.what()));
  } catch (...) {
    Report(context, report,
           absl::InternalError("threw an exception not derived from std::exception"));
  }
#else
  Report(context, report, kInit());
#endif
}

// The loader refuses an init that opens its own plugin; this flag, in the
// plugin itself, also catches a loader that does not know of the init
// running (another copy of the SDK, linked into a plugin), so that no path
// recurses until the stack overflows.
template <absl::Status (*kInit)()>
void RunInit(void* context, preload_report_fn report) {
  static thread_local bool running = false;
  if (running) {
    Report(context, report,
           absl::FailedPreconditionError(
               "PRELOAD_PLUGIN_INIT entered again while it runs: the "
               "plugin's init opened its own plugin"));
    return;
  }
  running = true;
  RunInitReporting<kInit>(context, report);
  running = false;
}

template <absl::Status (*kInit)()>
void* InitAddress() {
  return reinterpret_cast<void*>(&RunInit<kInit>);
}

}  // namespace plugin_internal
}  // namespace preload

#define PRELOAD_INTERNAL_CAT2(a, b) a##b
#define PRELOAD_INTERNAL_CAT(a, b) PRELOAD_INTERNAL_CAT2(a, b)

#if defined(__has_attribute)
#if __has_attribute(retain)
#define PRELOAD_INTERNAL_RETAIN __attribute__((retain))
#endif
#endif
#ifndef PRELOAD_INTERNAL_RETAIN
#define PRELOAD_INTERNAL_RETAIN
#endif

// The section a plugin's entries are gathered in. A static plugin is linked
// into an executable with other static plugins, so its entries need a section
// of their own: add_preload_plugin(<p> STATIC ...) compiles its sources with
// PRELOAD_STATIC_PLUGIN defined as the plugin's descriptor suffix, a string.
#if defined(PRELOAD_STATIC_PLUGIN)
#define PRELOAD_INTERNAL_ENTRY_SECTION \
  PRELOAD_ENTRY_SECTION "_" PRELOAD_STATIC_PLUGIN
#else
#define PRELOAD_INTERNAL_ENTRY_SECTION PRELOAD_ENTRY_SECTION
#endif

// One entry in the plugin's entry section. Aligned explicitly so that the
// compiler cannot pad entries apart: the linker's concatenation must be an
// array. Not const, so every entry lands in a section with the same flags.
#define PRELOAD_INTERNAL_ENTRY(variable, kind, name, type_name, address) \
  [[maybe_unused]] static ::preload_entry_v1 variable                    \
      __attribute__((used, section(PRELOAD_INTERNAL_ENTRY_SECTION),      \
                     aligned(alignof(::preload_entry_v1))))              \
      PRELOAD_INTERNAL_RETAIN = {kind, name, type_name, address}

// Where export records go: a note section of the plugin's file. A static
// plugin's stay ordinary constants, out of its host's notes. Clang's
// AddressSanitizer would pad a global in a section whose name is not an
// identifier with a redzone, which would break the run of notes; GCC's leaves
// globals in named sections alone (and ignores the attribute on variables).
#if defined(PRELOAD_STATIC_PLUGIN)
#define PRELOAD_INTERNAL_RECORD_PLACE
#else
#if defined(__clang__)
#define PRELOAD_INTERNAL_RECORD_NO_ASAN __attribute__((no_sanitize("address")))
#else
#define PRELOAD_INTERNAL_RECORD_NO_ASAN
#endif
#define PRELOAD_INTERNAL_RECORD_PLACE                                   \
  __attribute__((used, section(PRELOAD_EXPORT_NOTE_SECTION), aligned(4))) \
  PRELOAD_INTERNAL_RETAIN PRELOAD_INTERNAL_RECORD_NO_ASAN
#endif

// An export's record and its entry, which points at the record's characters.
#define PRELOAD_INTERNAL_EXPORT(record, entry, export_name, symbol)          \
  static constexpr auto record PRELOAD_INTERNAL_RECORD_PLACE =              \
      ::preload::plugin_internal::ExportNoteOf<decltype(symbol)>(export_name); \
  PRELOAD_INTERNAL_ENTRY(                                                   \
      entry, PRELOAD_ENTRY_EXPORT, record.desc + 2,                         \
      (&::preload::plugin_internal::RecordedType<&record,                   \
                                                 sizeof(export_name) - 1>), \
      &::preload::plugin_internal::AddressOf<&symbol>)

// Exports `symbol` (a function or a variable with linkage) under the name
// `export_name`, a string literal. The recorded type is decltype(symbol), so
// an overloaded function must be exported through a non-overloaded wrapper.
#if defined(PRELOAD_INTERNAL_ENTRIES_WITHOUT_RECORDS)
#define PRELOAD_EXPORT_AS(export_name, symbol)                                 \
  PRELOAD_INTERNAL_ENTRY(                                                      \
      PRELOAD_INTERNAL_CAT(preload_internal_export_, __COUNTER__),             \
      PRELOAD_ENTRY_EXPORT, export_name,                                       \
      &::preload::plugin_internal::TypeNameOf<decltype(symbol)>,               \
      &::preload::plugin_internal::AddressOf<&symbol>)
#else
#define PRELOAD_EXPORT_AS(export_name, symbol)                           \
  PRELOAD_INTERNAL_EXPORT(                                               \
      PRELOAD_INTERNAL_CAT(preload_internal_record_, __COUNTER__),       \
      PRELOAD_INTERNAL_CAT(preload_internal_export_, __COUNTER__),       \
      export_name, symbol)
#endif

// Exports `symbol` under its own spelling, e.g. PRELOAD_EXPORT(Greet) as "Greet".
#define PRELOAD_EXPORT(symbol) PRELOAD_EXPORT_AS(#symbol, symbol)

// Defines the plugin's init function: `PRELOAD_PLUGIN_INIT() { ... }` returning
// absl::Status. It runs after verification and mapping and before the plugin
// is registered; an error status or an exception makes the load fail (and the
// next Open runs it again).
//
// It runs once per process for each mapped image of the plugin: a second
// Loader that opens the same file finds it mapped and initialised and does not
// run it again (a sealed copy is an image of its own). A thread that opens the
// plugin while its init runs on another thread waits for that init.
//
// It must return promptly: while it runs, the Loader that opened the plugin is
// locked for other threads, every Open of the same file waits, and a plugin
// named in PRELOAD_PLUGINS holds the program before main. Start a thread for
// long work. It may open other plugins, but not its own plugin, directly or
// through the plugins it opens: that Open is refused, naming the cycle.
// docs/getting-started.md ("Plugin initialisation") says more.
#if defined(PRELOAD_INTERNAL_ENTRIES_WITHOUT_RECORDS)
#define PRELOAD_INTERNAL_INIT_NAME "init"
#else
#define PRELOAD_INTERNAL_INIT_NAME preload_internal_init_record.desc + 2
#endif
#define PRELOAD_PLUGIN_INIT()                                             \
  static ::absl::Status PreloadPluginInit();                              \
  PRELOAD_INTERNAL_INIT_RECORD                                            \
  PRELOAD_INTERNAL_ENTRY(                                                 \
      preload_internal_init_entry, PRELOAD_ENTRY_INIT,                    \
      PRELOAD_INTERNAL_INIT_NAME, nullptr,                                \
      &::preload::plugin_internal::InitAddress<&PreloadPluginInit>);      \
  static ::absl::Status PreloadPluginInit()

#if defined(PRELOAD_INTERNAL_ENTRIES_WITHOUT_RECORDS)
#define PRELOAD_INTERNAL_INIT_RECORD
#else
#define PRELOAD_INTERNAL_INIT_RECORD                                       \
  static constexpr auto preload_internal_init_record                       \
      PRELOAD_INTERNAL_RECORD_PLACE =                                      \
          ::preload::plugin_internal::MakeExportNote<4, 0>(                \
              PRELOAD_RECORD_INIT, "init", "");
#endif

#endif  // PRELOAD_PLUGIN_H_
