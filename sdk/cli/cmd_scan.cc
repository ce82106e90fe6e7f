// Copyright the PreloadSDK authors.
//
// preload scan DIR... [--against HOST] [--policy P] — one line per .so file
// under the directories. Results are printed as they are found and nothing
// is kept but counters, so memory does not grow with the number of files.
// Symbolic links are followed; a link back to a directory being walked (a
// loop) is reported and not followed (the walk: cli/internal/tree_walk.h,
// which holds only the names of the directories being walked). Each
// directory's trust is checked once for its files, the first time one is
// checked, and a plugin file is read once (PluginChecker::CheckAccepted).
#include <algorithm>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "cli/internal/cli.h"
#include "cli/internal/flags.h"
#include "cli/internal/output.h"
#include "cli/internal/plugin_check.h"
#include "cli/internal/render.h"
#include "cli/internal/requirement_scan.h"
#include "cli/internal/tree_walk.h"
#include "loader/internal/checked_directory.h"

namespace preload::cli {
namespace {

using internal::ToAbsl;

constexpr std::string_view kResults[] = {"compatible", "refused",
                                         "untrusted", "missing_libraries",
                                         "unsafe_libraries",
                                         "missing_requirements",
                                         "unsatisfied_requirements",
                                         "not_plugin", "corrupt", "error"};

bool IsSharedObjectName(std::string_view name) {
  return name.size() > 3 && name.substr(name.size() - 3) == ".so";
}

// The directory being walked at each depth, opened on its first plugin file:
// memory in the depth of the tree, not in its number of files. Each is opened
// for the checker's quick way (PluginChecker::CheckAccepted) and, only when a
// file needs the ordinary check or has requirements, for the loader
// (Loader::OpenDirectory); either checks the directory's trust once.
class OpenDirectories {
 public:
  explicit OpenDirectories(PluginChecker& checker) : checker_(checker) {}

  // The walk enters a directory at `level`: what was open there is done with.
  void Enter(int level) {
    if (static_cast<std::size_t>(level) < open_.size()) open_.resize(level);
  }

  // The check of `entry`, a plugin file below an operand, and of the
  // plugins it requires, in its directory.
  PluginCheck Check(const WalkEvent& entry) {
    Slot& slot = SlotOf(entry);
    const std::string path(entry.path);
    std::optional<PluginCheck> check;
    if (entry.regular_entry) {
      if (!slot.tried_scan) {
        slot.tried_scan = true;
        absl::StatusOr<internal::CheckedDirectory> opened =
            checker_.OpenScanDirectory(slot.path);
        if (opened.ok()) slot.scan = *std::move(opened);
      }
      if (slot.scan) check = checker_.CheckAccepted(path, entry.name, *slot.scan);
    }
    if (!check) check = checker_.Check(path, Plugins(slot));
    CheckRequirementsInDirectory(*check, checker_, [&] { return Plugins(slot); });
    return *std::move(check);
  }

 private:
  struct Slot {
    std::string path;  // the entry's path up to its name, as the walk joins it
    bool tried_scan = false;
    std::optional<internal::CheckedDirectory> scan;
    bool tried_plugins = false;
    std::optional<PluginDirectory> plugins;
  };

  Slot& SlotOf(const WalkEvent& entry) {
    const std::size_t level = static_cast<std::size_t>(entry.level) - 1;
    if (open_.size() <= level) open_.resize(level + 1);
    Slot& slot = open_[level];
    if (slot.path.empty()) {
      slot.path = std::string(entry.path.substr(0, entry.path.size() - entry.name.size()));
    }
    return slot;
  }

  // The directory opened for the loader; null if it cannot be opened (the
  // file's own check then says why).
  const PluginDirectory* Plugins(Slot& slot) {
    if (!slot.tried_plugins) {
      slot.tried_plugins = true;
      absl::StatusOr<PluginDirectory> directory = checker_.OpenDirectory(slot.path);
      if (directory.ok()) slot.plugins = *std::move(directory);
    }
    return slot.plugins ? &*slot.plugins : nullptr;
  }

  PluginChecker& checker_;
  std::vector<Slot> open_;
};

// Streams results as text or as one JSON document written piece by piece.
class Reporter {
 public:
  Reporter(bool json, const Host& host, Policy policy) : json_(json) {
    if (json_) {
      std::cout << "{\"command\": \"scan\", \"policy\": "
                << Json(PolicyName(policy)).dump()
                << ", \"host\": " << HostToJson(host).dump()
                << ",\n \"results\": [";
    }
  }

  void Add(const PluginCheck& check) {
    ++counts_[check.result];
    status_ = Worse(status_, check.exit_status);
    if (json_) {
      Json line = {{"path", check.file.path},
                   {"result", check.result},
                   {"reason", check.reason.empty() ? Json(nullptr)
                                                   : Json(check.reason)}};
      line["plugin"] =
          check.file.fingerprint
              ? Json{{"name", check.file.fingerprint->name()},
                     {"version", check.file.fingerprint->version()}}
              : Json(nullptr);
      std::cout << (first_ ? "\n  " : ",\n  ")
                << line.dump(-1, ' ', false, Json::error_handler_t::replace);
      first_ = false;
      return;
    }
    std::string detail;
    if (check.result == "compatible") {
      detail = Describe(*check.file.fingerprint);
    } else {
      detail = check.reason;
      const std::string prefix = check.file.path + ": ";
      if (detail.compare(0, prefix.size(), prefix) == 0) {
        detail = detail.substr(prefix.size());
      }
    }
    // The column fits the common results; a longer one keeps a space.
    const std::size_t width = std::max<std::size_t>(18, check.result.size() + 1);
    std::cout << Paint(Pad(check.result, width), check.result == "compatible"
                                                  ? Color::kGreen
                                                  : Color::kRed)
              << internal::EscapeText(check.file.path) << "  "
              << internal::EscapeKeepingLines(detail) << "\n";
  }

  void Problem(int status) { status_ = Worse(status_, status); }

  int Finish() {
    std::size_t total = 0;
    std::vector<std::string> parts;
    Json summary = Json::object();
    for (std::string_view result : kResults) {
      const std::size_t n = counts_[std::string(result)];
      total += n;
      summary[std::string(result)] = n;
      if (n > 0) parts.push_back(absl::StrCat(n, " ", std::string(result)));
    }
    if (json_) {
      std::cout << (first_ ? "" : "\n ") << "],\n \"summary\": "
                << summary.dump() << ", \"files\": " << total
                << ", \"exit_status\": " << status_ << "}\n";
    } else {
      std::cout << total << (total == 1 ? " file" : " files")
                << (parts.empty() ? "" : ": ") << absl::StrJoin(parts, ", ")
                << "\n";
    }
    return status_;
  }

 private:
  bool json_;
  bool first_ = true;
  int status_ = kExitOk;
  std::map<std::string, std::size_t> counts_;
};

}  // namespace

int RunScan(const std::vector<std::string>& args) {
  absl::StatusOr<Policy> policy = PolicyFromFlags();
  if (!policy.ok()) {
    PrintUsageError("scan", policy.status(), absl::GetFlag(FLAGS_json));
    return kExitUsage;
  }
  absl::StatusOr<Host> host = HostFromFlags();
  if (!host.ok()) {
    PrintUsageError("scan", host.status(), absl::GetFlag(FLAGS_json));
    return kExitUsage;
  }
  PluginChecker checker(*host, *policy, PluginChecker::Extras::kNone);
  Reporter reporter(absl::GetFlag(FLAGS_json), *host, *policy);
  OpenDirectories directories(checker);
  const int refused = WalkTrees(args, [&](const WalkEvent& entry) {
    switch (entry.kind) {
      case WalkEvent::Kind::kDirectory:
        directories.Enter(entry.level);
        break;
      case WalkEvent::Kind::kFile:
        if (entry.level == 0) {
          PluginCheck check = checker.Check(std::string(entry.path), nullptr);
          CheckRequirementsInDirectory(check, checker, [] { return nullptr; });
          reporter.Add(check);
        } else if (IsSharedObjectName(entry.name)) {
          reporter.Add(directories.Check(entry));
        }
        break;
      case WalkEvent::Kind::kCycle:
        PrintError("scan", absl::StrCat("not following ", ToAbsl(entry.path),
                                        ": it leads back to ", ToAbsl(entry.ancestor),
                                        " (a symlink loop)"));
        break;
      case WalkEvent::Kind::kBrokenLink:
        if (IsSharedObjectName(entry.name)) {
          reporter.Add(checker.Check(std::string(entry.path)));  // reported as error
        }
        break;
      case WalkEvent::Kind::kError:
        PrintError("scan", absl::StrCat(ToAbsl(entry.path), ": ", std::strerror(entry.error)));
        reporter.Problem(kExitUsage);
        break;
    }
  });
  if (refused != 0) {
    PrintError("scan", std::strerror(refused));
    return kExitUsage;
  }
  return reporter.Finish();
}

}  // namespace preload::cli
