// Copyright the PreloadSDK authors.
#include "loader/internal/static_plugins.h"

#include <elf.h>
#include <limits.h>
#include <link.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "loader/internal/plugin_entries.h"
#include "preload/version.h"

// The linker defines these at the ends of the section that gathers every
// static plugin's record. This padding record, always linked with the loader,
// makes sure the section exists even in a program with no static plugin.
extern "C" {
extern preload_static_plugin_v1 __start_preload_static_plugins_v1[]
    __attribute__((visibility("hidden")));
extern preload_static_plugin_v1 __stop_preload_static_plugins_v1[]
    __attribute__((visibility("hidden")));
}

namespace {
#if defined(__has_attribute)
#if __has_attribute(retain)
__attribute__((retain))
#endif
#endif
__attribute__((used, section(PRELOAD_STATIC_PLUGIN_SECTION),
               aligned(alignof(preload_static_plugin_v1))))
preload_static_plugin_v1 preload_static_padding = {0, 0, nullptr, 0, nullptr};
}  // namespace

namespace preload::internal {
namespace {

struct Linked {
  std::vector<StaticPlugin> plugins;
  std::vector<std::string> problems;
};

// Why `record` cannot be used, or "" if it can.
std::string RecordProblem(const preload_static_plugin_v1& record) {
  if (record.abi_version != PRELOAD_SDK_ABI_VERSION) {
    return absl::StrCat("SDK ABI version ", record.abi_version, ", expected ",
                        PRELOAD_SDK_ABI_VERSION);
  }
  if (record.size != sizeof(preload_static_plugin_v1)) {
    return absl::StrCat("record size ", record.size, ", expected ",
                        sizeof(preload_static_plugin_v1));
  }
  if (record.payload == nullptr || record.descriptor == nullptr) {
    return "no fingerprint or no descriptor";
  }
  return "";
}

Linked ReadLinked() {
  Linked linked;
  for (const preload_static_plugin_v1* record = __start_preload_static_plugins_v1;
       record != __stop_preload_static_plugins_v1; ++record) {
    if (record->abi_version == 0) continue;  // padding
    std::string problem = RecordProblem(*record);
    if (problem.empty()) {
      absl::StatusOr<Fingerprint> fingerprint = Fingerprint::Parse(
          std::string_view(record->payload, record->payload_size));
      if (fingerprint.ok() && fingerprint->kind() == "plugin") {
        linked.plugins.push_back({record, *std::move(fingerprint)});
        continue;
      }
      problem = fingerprint.ok() ? "its fingerprint is not a plugin's"
                                 : std::string(FromAbsl(fingerprint.status().message()));
    }
    linked.problems.push_back(absl::StrCat("static plugin record ",
                                           record - __start_preload_static_plugins_v1,
                                           " ignored: ", problem));
  }
  return linked;
}

const Linked& LinkedPlugins() {
  static const Linked* const linked = new Linked(ReadLinked());
  return *linked;
}

// The outcome of each static plugin's init, by record.
struct InitOnce {
  std::once_flag once;
  absl::Status status;
};

}  // namespace

const std::vector<StaticPlugin>& StaticPlugins() { return LinkedPlugins().plugins; }

const std::vector<std::string>& StaticPluginProblems() {
  return LinkedPlugins().problems;
}

const StaticPlugin* FindStaticPlugin(std::string_view name) {
  for (const StaticPlugin& plugin : StaticPlugins()) {
    if (plugin.fingerprint.name() == name) return &plugin;
  }
  return nullptr;
}

absl::Status RunStaticInitOnce(const StaticPlugin& plugin, preload_init_fn init) {
  static std::mutex* const mutex = new std::mutex;
  static auto* const outcomes = new std::map<const void*, InitOnce>;
  InitOnce* outcome;
  {
    // Only finds the entry: the init runs without this lock, so that it may
    // open other plugins.
    std::lock_guard<std::mutex> lock(*mutex);
    outcome = &(*outcomes)[plugin.record];
  }
  std::call_once(outcome->once, [&] { outcome->status = RunPluginInit(init); });
  return outcome->status;
}

const std::string& ExecutablePath() {
  static const std::string* const path = [] {
    char exe[PATH_MAX];
    const ssize_t length = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    return new std::string(exe, length > 0 ? static_cast<size_t>(length) : 0);
  }();
  return *path;
}

// A program run by the dynamic loader names it in a PT_INTERP header; one
// linked with -static or -static-pie has none.
bool ProgramIsStaticallyLinked() {
  const auto* headers = reinterpret_cast<const ElfW(Phdr)*>(::getauxval(AT_PHDR));
  const unsigned long count = ::getauxval(AT_PHNUM);
  if (headers == nullptr) return false;  // cannot tell: let dlopen answer
  for (unsigned long i = 0; i < count; ++i) {
    if (headers[i].p_type == PT_INTERP) return false;
  }
  return true;
}

}  // namespace preload::internal
