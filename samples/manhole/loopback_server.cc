#include "loopback_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http_request.h"

namespace manhole {
namespace {

using Clock = std::chrono::steady_clock;

struct Connection {
  int fd = -1;
  Clock::time_point deadline;
  std::string in;   // the request head, as it comes
  std::string out;  // the response, once there is one
  std::size_t sent = 0;
  bool answered() const { return !out.empty(); }
  ~Connection() { ::close(fd); }
};

int MillisecondsUntil(Clock::time_point when) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(when - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count() + 1, 0, 60000));
}

std::string Answer(const std::string& head_text, int port, const Handler& handler) {
  const std::optional<RequestHead> head = ParseRequestHead(head_text);
  if (!head) return ResponseText(400, "text/plain", "not an HTTP/1.x request\n");
  if (std::optional<Refusal> refusal = Refuse(*head, port)) {
    return ResponseText(refusal->status, "text/plain", refusal->message);
  }
  const Response response = handler(head->path);
  return ResponseText(response.status, response.content_type, response.body);
}

// Reads what the client sent; once the head is whole (or too long), makes
// the response. False when the connection is to be closed.
bool ReadRequest(Connection& c, int port, const Handler& handler) {
  char buffer[4096];
  const std::size_t room = kMaxRequestBytes + 1 - c.in.size();
  const ssize_t n = ::recv(c.fd, buffer, std::min(room, sizeof buffer), 0);
  if (n == 0) return false;
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  c.in.append(buffer, static_cast<std::size_t>(n));
  const std::size_t head = HeadLength(c.in);
  if (head > 0 && head <= kMaxRequestBytes) {
    c.out = Answer(c.in.substr(0, head), port, handler);
  } else if (c.in.size() > kMaxRequestBytes) {
    c.out = ResponseText(431, "text/plain", "the request head is over 8 KiB\n");
  }
  return true;
}

// Writes what is left of the response; false once it is all sent, or the
// client is gone.
bool WriteResponse(Connection& c) {
  const ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent,
                           MSG_NOSIGNAL);
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  c.sent += static_cast<std::size_t>(n);
  return c.sent < c.out.size();
}

// Takes the connections waiting to be accepted, a few at a time; at the limit
// the oldest connection makes room (connections are kept in accept order).
void AcceptNew(int listen_fd, std::vector<std::unique_ptr<Connection>>& connections) {
  for (int i = 0; i < 16; ++i) {
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (connections.size() >= kMaxConnections) connections.erase(connections.begin());
    auto connection = std::make_unique<Connection>();
    connection->fd = fd;
    connection->deadline = Clock::now() + kRequestDeadline;
    connections.push_back(std::move(connection));
  }
}

void DropIf(std::vector<std::unique_ptr<Connection>>& connections,
            bool (*drop)(const std::unique_ptr<Connection>&)) {
  connections.erase(std::remove_if(connections.begin(), connections.end(), drop),
                    connections.end());
}

}  // namespace

LoopbackServer::LoopbackServer(Handler handler) : handler_(std::move(handler)) {}

LoopbackServer::~LoopbackServer() {
  Stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (int fd : wake_fds_) {
    if (fd >= 0) ::close(fd);
  }
}

absl::Status LoopbackServer::Start(int port) {
  if (::pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::UnavailableError(std::string("pipe: ") + std::strerror(errno));
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  const int on = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t length = sizeof address;
  if (listen_fd_ < 0 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return absl::UnavailableError("cannot bind 127.0.0.1:" + std::to_string(port) +
                                  ": " + std::strerror(errno) + " (in use?)");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
  return absl::OkStatus();
}

void LoopbackServer::Stop() {
  if (!thread_.joinable()) return;
  const char byte = 0;
  [[maybe_unused]] const ssize_t ignored = ::write(wake_fds_[1], &byte, 1);
  thread_.join();
}

void LoopbackServer::Serve() {
  std::vector<std::unique_ptr<Connection>> connections;
  std::optional<Clock::time_point> stop_at;
  while (!stop_at || (!connections.empty() && Clock::now() < *stop_at)) {
    std::vector<pollfd> polled = {{stop_at ? -1 : wake_fds_[0], POLLIN, 0},
                                  {stop_at ? -1 : listen_fd_, POLLIN, 0}};
    Clock::time_point next = stop_at.value_or(Clock::now() + kRequestDeadline);
    for (const auto& c : connections) {
      polled.push_back({c->fd, static_cast<short>(c->answered() ? POLLOUT : POLLIN), 0});
      next = std::min(next, c->deadline);
    }
    ::poll(polled.data(), polled.size(), MillisecondsUntil(next));
    if (polled[0].revents != 0 && !stop_at) {
      // Stopping: no more requests; what is answered gets the grace.
      stop_at = Clock::now() + kShutdownGrace;
      DropIf(connections, [](const std::unique_ptr<Connection>& c) {
        return !c->answered();
      });
      continue;
    }
    // Each connection that poll saw, in the order polled: new ones come after.
    for (std::size_t i = 0; i < connections.size(); ++i) {
      Connection& c = *connections[i];
      const short events = polled[i + 2].revents;
      bool keep = Clock::now() < c.deadline;
      if (keep && events != 0) {
        keep = c.answered() ? WriteResponse(c) : ReadRequest(c, port_, handler_);
      }
      if (!keep) connections[i].reset();
    }
    DropIf(connections, [](const std::unique_ptr<Connection>& c) { return !c; });
    if (polled[1].revents & POLLIN) AcceptNew(listen_fd_, connections);
  }
}

}  // namespace manhole
