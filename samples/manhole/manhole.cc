// manhole: serves a debug endpoint on 127.0.0.1 from inside any host.
//
//   PRELOAD_PLUGINS=manhole any-host
//   manhole: serving http://127.0.0.1:40123/ for pid 4242 (/healthz, /debug/plugins, /debug/vars)
//
// PRELOAD_MANHOLE_ADDR chooses the port ("8123", ":8123", "127.0.0.1:8123" or
// "localhost:8123"); by default the kernel picks a free one, which is printed.
// Any other address is refused: the manhole never listens beyond loopback.
// The server runs on its own thread and stops when the program exits.
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>
#include <preload/plugin.h>
#include <preload/process.h>

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

void ServePlugins(const httplib::Request&, httplib::Response& response) {
  absl::StatusOr<std::vector<preload::ProcessPlugin>> plugins =
      preload::ProcessPlugins();
  Json body;
  body["pid"] = static_cast<int64_t>(::getpid());
  if (!plugins.ok()) {
    response.status = 503;
    body["error"] = std::string(plugins.status().message());
  } else {
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
  }
  response.set_content(body.dump(2) + "\n", "application/json");
}

void ServeVars(const httplib::Request&, httplib::Response& response) {
  const manhole::ProcStats stats = manhole::ReadProcStats();
  Json body;
  body["pid"] = stats.pid;
  body["uptime_seconds"] = stats.uptime_seconds;
  body["rss_bytes"] = stats.rss_bytes;
  body["threads"] = stats.threads;
  body["open_fds"] = stats.open_fds;
  body["exe"] = stats.exe;
  body["cmdline"] = stats.cmdline;
  response.set_content(body.dump(2) + "\n", "application/json");
}

class Manhole {
 public:
  // Binds now, so that a busy port fails the plugin's init; serves on a thread.
  absl::Status Start(int port) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(2); };
    server_.set_keep_alive_timeout(1);
    server_.set_read_timeout(2);
    server_.set_write_timeout(2);
    server_.Get("/healthz", [](const httplib::Request&, httplib::Response& r) {
      r.set_content("ok\n", "text/plain");
    });
    server_.Get("/debug/plugins", ServePlugins);
    server_.Get("/debug/vars", ServeVars);
    server_.Get("/", [](const httplib::Request&, httplib::Response& r) {
      r.set_content("manhole: /healthz /debug/plugins /debug/vars\n", "text/plain");
    });
    if (port == 0) {
      port_ = server_.bind_to_any_port(kLoopback);
      if (port_ < 0) return absl::UnavailableError("cannot bind 127.0.0.1");
    } else {
      if (!server_.bind_to_port(kLoopback, port)) {
        return absl::UnavailableError("cannot bind 127.0.0.1:" +
                                      std::to_string(port) + " (in use?)");
      }
      port_ = port;
    }
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      finished_ = true;
    });
    std::fprintf(stderr,
                 "manhole: serving http://%s:%d/ for pid %d "
                 "(/healthz, /debug/plugins, /debug/vars)\n",
                 kLoopback, port_, static_cast<int>(::getpid()));
    return absl::OkStatus();
  }

  // At exit: stop accepting, finish the requests in flight, join. stop() does
  // nothing until the thread has entered its accept loop, and a program that
  // exits at once may get here first: repeat it until the loop has ended.
  ~Manhole() {
    if (!thread_.joinable()) return;
    while (!finished_) {
      server_.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    thread_.join();
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
  int port_ = 0;
};

// Destroyed when the program exits (plugins are never unloaded).
std::unique_ptr<Manhole> manhole_instance;

}  // namespace

PRELOAD_PLUGIN_INIT() {
  absl::StatusOr<int> port = ParsePort(::secure_getenv("PRELOAD_MANHOLE_ADDR"));
  if (!port.ok()) return port.status();
  auto manhole = std::make_unique<Manhole>();
  if (absl::Status started = manhole->Start(*port); !started.ok()) return started;
  manhole_instance = std::move(manhole);
  return absl::OkStatus();
}
