// Copyright the PreloadSDK authors.
//
// preload scan DIR... [--against HOST] [--policy P] — one line per .so file
// under the directories. Results are printed as they are found and nothing
// is kept but counters, so memory does not grow with the number of files.
// Symbolic links are followed; a link back to a directory being walked (a
// loop) is reported and not followed. Each directory's trust is checked once
// for its files (Loader::OpenDirectory), the first time one is checked.
#include <fts.h>

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
#include "cli/internal/cli.h"
#include "cli/internal/flags.h"
#include "cli/internal/output.h"
#include "cli/internal/plugin_check.h"
#include "cli/internal/render.h"
#include "cli/internal/requirement_scan.h"

namespace preload::cli {
namespace {

constexpr std::string_view kResults[] = {"compatible", "refused",
                                         "untrusted", "missing_libraries",
                                         "unsafe_libraries",
                                         "missing_requirements",
                                         "unsatisfied_requirements",
                                         "not_plugin", "corrupt", "error"};

bool IsSharedObjectName(std::string_view name) {
  return name.size() > 3 && name.substr(name.size() - 3) == ".so";
}

int CompareNames(const FTSENT** a, const FTSENT** b) {
  return std::strcmp((*a)->fts_name, (*b)->fts_name);
}

// The directory being walked at each depth, opened for the loader on its
// first file: memory in the depth of the tree, not in its number of files.
class OpenDirectories {
 public:
  explicit OpenDirectories(const PluginChecker& checker) : checker_(checker) {}

  // fts enters a directory at `level`: what was open there is done with.
  void Enter(int level) {
    if (static_cast<std::size_t>(level) < open_.size()) open_.resize(level);
  }

  // The directory of `entry`, a plugin file below a root; null if it cannot
  // be opened (the file's own check then says why). The loader verifies the
  // entry and the plugin files fts returns after it together, a batch at a
  // time (PluginDirectory::Prefetch), their reads batched through io_uring.
  const PluginDirectory* Of(const FTSENT& entry) {
    const PluginDirectory* directory = Open(entry);
    Slot& slot = open_[static_cast<std::size_t>(entry.fts_level) - 1];
    if (directory != nullptr && slot.prefetched == 0) {
      std::vector<std::string> names;
      // fts returns the siblings in the order they are linked.
      for (const FTSENT* next = &entry; next != nullptr && names.size() < kPrefetch;
           next = next->fts_link) {
        if (next->fts_info == FTS_F && IsSharedObjectName(next->fts_name)) {
          names.emplace_back(next->fts_name);
        }
      }
      directory->Prefetch(names);
      slot.prefetched = names.size();
    }
    if (slot.prefetched > 0) --slot.prefetched;
    return directory;
  }

 private:
  static constexpr std::size_t kPrefetch = 64;

  const PluginDirectory* Open(const FTSENT& entry) {
    const std::size_t level = static_cast<std::size_t>(entry.fts_level) - 1;
    if (open_.size() <= level) open_.resize(level + 1);
    Slot& slot = open_[level];
    if (!slot.tried) {
      slot.tried = true;
      // The entry's path up to its name: fts joins paths as PluginDirectory does.
      absl::StatusOr<PluginDirectory> directory = checker_.OpenDirectory(
          std::string_view(entry.fts_path, entry.fts_pathlen - entry.fts_namelen));
      if (directory.ok()) slot.directory = *std::move(directory);
    }
    return slot.directory ? &*slot.directory : nullptr;
  }

  struct Slot {
    bool tried = false;
    std::optional<PluginDirectory> directory;
    std::size_t prefetched = 0;  // plugin files verified ahead, not yet reached
  };
  const PluginChecker& checker_;
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

// The file's check, then its requirements' in its own directory.
PluginCheck CheckWithRequirements(PluginChecker& checker, const std::string& path,
                                  const PluginDirectory* directory) {
  PluginCheck check = checker.Check(path, directory);
  CheckRequirementsInDirectory(check, checker, directory);
  return check;
}

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
  std::vector<char*> roots;
  for (const std::string& arg : args) roots.push_back(const_cast<char*>(arg.c_str()));
  roots.push_back(nullptr);
  FTS* walk = ::fts_open(roots.data(), FTS_LOGICAL | FTS_NOCHDIR, CompareNames);
  if (walk == nullptr) {
    PrintError("scan", std::strerror(errno));
    return kExitUsage;
  }
  OpenDirectories directories(checker);
  while (FTSENT* entry = ::fts_read(walk)) {
    switch (entry->fts_info) {
      case FTS_D:
        directories.Enter(entry->fts_level);
        break;
      case FTS_F:
        if (entry->fts_level == 0) {
          reporter.Add(CheckWithRequirements(checker, entry->fts_path, nullptr));
        } else if (IsSharedObjectName(entry->fts_name)) {
          reporter.Add(CheckWithRequirements(checker, entry->fts_path,
                                             directories.Of(*entry)));
        }
        break;
      case FTS_DC:
        PrintError("scan", absl::StrCat("not following ", entry->fts_path,
                                        ": it leads back to ",
                                        entry->fts_cycle->fts_path,
                                        " (a symlink loop)"));
        break;
      case FTS_SLNONE:
        if (IsSharedObjectName(entry->fts_name)) {
          reporter.Add(checker.Check(entry->fts_path));  // reported as error
        }
        break;
      case FTS_DNR:
      case FTS_ERR:
      case FTS_NS:
        PrintError("scan", absl::StrCat(entry->fts_path, ": ",
                                        std::strerror(entry->fts_errno)));
        reporter.Problem(kExitUsage);
        break;
      default:
        break;
    }
  }
  ::fts_close(walk);
  return reporter.Finish();
}

}  // namespace preload::cli
