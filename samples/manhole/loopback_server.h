// A small HTTP/1.1 server for the manhole, on 127.0.0.1 only, that a local
// user cannot use to hurt its host (docs/security.md, "The manhole sample"):
//
//   - one thread, and at most kMaxConnections connections: when a new one
//     comes in at the limit, the oldest is dropped, so idle connections
//     cannot keep anyone else out, and cost no thread;
//   - a request is its head only (GET takes no body), at most
//     kMaxRequestBytes; nothing more is ever read, so a body of any size
//     costs nothing: a request announcing one is answered 413 and closed;
//   - each connection has kRequestDeadline from its accept to its response
//     being written, however slowly its client sends; then it is closed;
//   - GET only (405 otherwise), and a Host header naming this very server
//     ("127.0.0.1:<port>" or "localhost:<port>"), so that a web page cannot
//     reach it through a DNS name rebound to 127.0.0.1 (403 otherwise);
//   - one response per connection (Connection: close);
//   - Stop() returns within kShutdownGrace: connections still sending their
//     request are closed at once, responses being written get the grace.
//
// cpp-httplib, which the manhole used before, gives each connection a thread
// from an unbounded queue, so 200 idle connections kept /healthz waiting for
// seconds and a slow client delayed the program's exit for as long as it
// went on; the version Debian ships has no bound on its queue.
#ifndef SAMPLES_MANHOLE_LOOPBACK_SERVER_H_
#define SAMPLES_MANHOLE_LOOPBACK_SERVER_H_

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace manhole {

inline constexpr std::size_t kMaxConnections = 64;
inline constexpr std::size_t kMaxRequestBytes = 8192;
inline constexpr std::chrono::milliseconds kRequestDeadline{2000};
inline constexpr std::chrono::milliseconds kShutdownGrace{200};

struct Response {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

// Answers a GET of `path` (without its query). Runs on the server's thread.
using Handler = std::function<Response(const std::string& path)>;

class LoopbackServer {
 public:
  explicit LoopbackServer(Handler handler);
  ~LoopbackServer();  // Stop()
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Binds 127.0.0.1:`port` (0: a free port) and serves on a thread of its
  // own. port() is then the bound port.
  absl::Status Start(int port);
  int port() const { return port_; }
  // Stops serving; returns within kShutdownGrace and a little more.
  void Stop();

 private:
  void Serve();

  Handler handler_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};  // a byte in it tells the thread to stop
  int port_ = 0;
  std::thread thread_;
};

}  // namespace manhole

#endif  // SAMPLES_MANHOLE_LOOPBACK_SERVER_H_
