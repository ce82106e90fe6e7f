// Copyright the PreloadSDK authors.
//
// preload deps FILE... [--direct] — the libraries each file needs, resolved
// the way ld.so would resolve them, and for a plugin the plugins it requires
// (cli/internal/plugin_graph.h); nothing is loaded.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "cli/internal/cli.h"
#include "cli/internal/deps.h"
#include "cli/internal/flags.h"
#include "cli/internal/output.h"
#include "cli/internal/plugin_graph.h"

namespace preload::cli {
namespace {

int StatusOfError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument ? kExitRefused
                                                              : kExitUsage;
}

// The plugin graph below `path`, if it is a plugin.
std::optional<PluginGraph> GraphOf(const std::string& path) {
  BinaryFile file = ReadBinary(path);
  if (file.kind != FileKind::kPreload || file.fingerprint->kind() != "plugin") {
    return std::nullopt;
  }
  return ResolvePluginGraph(file);
}

void PrintText(const DepsReport& report) {
  std::cout << Paint(internal::EscapeText(report.path), Color::kBold) << ": "
            << Paint(DepsSummary(report),
                     report.missing.empty() && report.unsafe() == 0
                                              ? Color::kGreen
                                              : Color::kRed)
            << "\n";
  if (report.dynamic.runpath) {
    std::cout << "  DT_RUNPATH " << internal::EscapeText(*report.dynamic.runpath)
              << "\n";
  }
  if (report.dynamic.rpath) {
    std::cout << "  DT_RPATH   " << internal::EscapeText(*report.dynamic.rpath)
              << "\n";
  }
  std::cout << DepsToText(report, "  ");
  if (!report.cache_problem.empty()) {
    std::cout << "  note: " << report.cache_problem
              << "; searched the default directories only\n";
  }
}

}  // namespace

int RunDeps(const std::vector<std::string>& args) {
  const bool json = absl::GetFlag(FLAGS_json);
  const bool recursive = !absl::GetFlag(FLAGS_direct);
  DependencyResolver resolver(SearchSettingsFromEnvironment());
  int status = kExitOk;
  Json files = Json::array();
  for (std::size_t i = 0; i < args.size(); ++i) {
    absl::StatusOr<DepsReport> report = resolver.Resolve(args[i], recursive);
    if (!report.ok()) {
      status = Worse(status, StatusOfError(report.status()));
      if (json) {
        files.push_back(Json{{"path", args[i]},
                             {"result", StatusOfError(report.status()) ==
                                                kExitRefused
                                            ? "corrupt"
                                            : "error"},
                             {"message", std::string(report.status().message())}});
      } else {
        if (i > 0) std::cout << "\n";
        std::cout << Paint(internal::EscapeKeepingLines(internal::FromAbsl(report.status().message())),
                           Color::kRed)
                  << "\n";
      }
      continue;
    }
    const std::optional<PluginGraph> graph = GraphOf(args[i]);
    const bool graph_problems = graph && graph->problems > 0;
    if (!report->missing.empty() || report->unsafe() > 0 || graph_problems) {
      status = Worse(status, kExitRefused);
    }
    if (json) {
      Json entry = {{"path", args[i]},
                    {"result", !report->missing.empty() ? "missing"
                               : report->unsafe() > 0   ? "unsafe"
                               : graph_problems         ? "missing_requirements"
                                                        : "found"}};
      const Json deps = DepsToJson(*report);
      for (const auto& [key, value] : deps.items()) entry[key] = value;
      if (graph) entry["plugins"] = PluginGraphToJson(*graph);
      files.push_back(std::move(entry));
    } else {
      if (i > 0) std::cout << "\n";
      PrintText(*report);
      if (graph) std::cout << PluginGraphToText(*graph, "  ");
    }
  }
  if (json) {
    PrintJson(Json{{"command", "deps"},
                   {"recursive", recursive},
                   {"files", std::move(files)},
                   {"exit_status", status}});
  }
  return status;
}

}  // namespace preload::cli
