// The head of an HTTP request, and what the manhole answers to one it will
// not serve (loopback_server.h says why each rule is there).
#ifndef SAMPLES_MANHOLE_HTTP_REQUEST_H_
#define SAMPLES_MANHOLE_HTTP_REQUEST_H_

#include <optional>
#include <string>
#include <string_view>

namespace manhole {

struct RequestHead {
  std::string method;
  std::string path;  // the target without its query
  std::optional<std::string> host;
  bool has_body = false;  // a Content-Length other than 0, or Transfer-Encoding
};

// The head in `text` (up to and including the empty line); nullopt when it is
// not an HTTP/1.x request line followed by header lines.
std::optional<RequestHead> ParseRequestHead(std::string_view text);

// The length of the head at the start of `text` (through "\r\n\r\n" or
// "\n\n"), 0 while it is incomplete.
std::size_t HeadLength(std::string_view text);

// Why a request is not served, as a status and a message; nullopt when it
// may be: GET, no body, and a Host naming 127.0.0.1 or localhost with `port`.
struct Refusal {
  int status;
  std::string message;
};
std::optional<Refusal> Refuse(const RequestHead& head, int port);

// "HTTP/1.1 <status> <reason>" with the headers every answer carries.
std::string ResponseText(int status, std::string_view content_type,
                         std::string_view body);

}  // namespace manhole

#endif  // SAMPLES_MANHOLE_HTTP_REQUEST_H_
