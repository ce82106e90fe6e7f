// manhole: serves a debug endpoint on 127.0.0.1 from inside any host.
//
//   PRELOAD_PLUGINS=manhole any-host
//   manhole: serving http://127.0.0.1:40123/ for pid 4242 (/healthz, /debug/plugins, /debug/vars)
//
// PRELOAD_MANHOLE_ADDR chooses the port ("8123", ":8123", "127.0.0.1:8123" or
// "localhost:8123"); by default the kernel picks a free one, which is printed.
// Any other address is refused: the manhole never listens beyond loopback.
// The server runs on its own thread and stops when the program exits, within
// a fifth of a second. It answers GET only, to a Host naming it, with limits
// a local user cannot get round (loopback_server.h). /debug/vars shows the
// command line only with PRELOAD_MANHOLE_CMDLINE=1.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <preload/plugin.h>
#include <preload/process.h>

#include "loopback_server.h"
#include "proc_stats.h"

namespace {

using Json = nlohmann::ordered_json;

constexpr char kLoopback[] = "127.0.0.1";

// The port from PRELOAD_MANHOLE_ADDR, 0 for "any free port".
absl::StatusOr<int> ParsePort(const char* value) {
  if (value == nullptr || *value == '\0') return 0;
  std::string text(value);
  std::string host;
  std::string port = text;
  if (const size_t colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (!host.empty() && host != kLoopback && host != "localhost") {
    return absl::InvalidArgumentError(
        "PRELOAD_MANHOLE_ADDR=" + text + ": the manhole serves on 127.0.0.1 "
        "only; give a port, e.g. 127.0.0.1:8123");
  }
  char* end = nullptr;
  const long number = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || number < 0 || number > 65535) {
    return absl::InvalidArgumentError("PRELOAD_MANHOLE_ADDR=" + text +
                                      ": not a port number");
  }
  return static_cast<int>(number);
}

Json FieldsToJson(const std::vector<std::pair<std::string, std::string>>& fields) {
  Json object = Json::object();
  for (const auto& [key, value] : fields) object[key] = value;
  return object;
}

std::string PluginsJson() {
  absl::StatusOr<std::vector<preload::ProcessPlugin>> plugins =
      preload::ProcessPlugins();
  Json body;
  body["pid"] = static_cast<int64_t>(::getpid());
  if (!plugins.ok()) {
    body["error"] = std::string(plugins.status().message());
    return body.dump(2) + "\n";
  }
  body["plugins"] = Json::array();
  for (const preload::ProcessPlugin& plugin : *plugins) {
    Json entry;
    entry["name"] = plugin.Field("name");
    entry["version"] = plugin.Field("version");
    entry["path"] = plugin.path;
    entry["linkage"] = plugin.linkage;
    entry["loader"] = plugin.loader;
    entry["policy"] = plugin.policy;
    entry["fingerprint"] = FieldsToJson(plugin.fingerprint);
    entry["host_fingerprint"] = FieldsToJson(plugin.host_fingerprint);
    body["plugins"].push_back(std::move(entry));
  }
  return body.dump(2) + "\n";
}

// The command line may hold secrets (a password given as an argument), so
// it is served only when PRELOAD_MANHOLE_CMDLINE=1 asks for it.
std::string VarsJson(bool with_cmdline) {
  const manhole::ProcStats stats = manhole::ReadProcStats();
  Json body;
  body["pid"] = stats.pid;
  body["uptime_seconds"] = stats.uptime_seconds;
  body["rss_bytes"] = stats.rss_bytes;
  body["threads"] = stats.threads;
  body["open_fds"] = stats.open_fds;
  body["exe"] = stats.exe;
  if (with_cmdline) body["cmdline"] = stats.cmdline;
  // Invalid UTF-8 (a file name, an argument) is replaced, not thrown on.
  return body.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

manhole::Response Route(const std::string& path, bool with_cmdline) {
  if (path == "/healthz") return {200, "text/plain", "ok\n"};
  if (path == "/debug/plugins") {
    const std::string body = PluginsJson();
    return {body.find("\"error\"") == std::string::npos ? 200 : 503,
            "application/json", body};
  }
  if (path == "/debug/vars") return {200, "application/json", VarsJson(with_cmdline)};
  if (path == "/") {
    return {200, "text/plain", "manhole: /healthz /debug/plugins /debug/vars\n"};
  }
  return {404, "text/plain", "not found\n"};
}

// Destroyed when the program exits (plugins are never unloaded), which stops
// the server within manhole::kShutdownGrace.
std::unique_ptr<manhole::LoopbackServer> server_instance;

}  // namespace

PRELOAD_PLUGIN_INIT() {
  absl::StatusOr<int> port = ParsePort(::secure_getenv("PRELOAD_MANHOLE_ADDR"));
  if (!port.ok()) return port.status();
  const char* cmdline = ::secure_getenv("PRELOAD_MANHOLE_CMDLINE");
  const bool with_cmdline = cmdline != nullptr && std::string(cmdline) == "1";
  auto server = std::make_unique<manhole::LoopbackServer>(
      [with_cmdline](const std::string& path) { return Route(path, with_cmdline); });
  if (absl::Status started = server->Start(*port); !started.ok()) return started;
  std::fprintf(stderr,
               "manhole: serving http://%s:%d/ for pid %d "
               "(/healthz, /debug/plugins, /debug/vars)\n",
               kLoopback, server->port(), static_cast<int>(::getpid()));
  server_instance = std::move(server);
  return absl::OkStatus();
}
