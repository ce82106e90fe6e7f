#include "http_request.h"

#include <strings.h>

#include <string>

namespace manhole {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool SameWord(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Reads one header line into `head`; false if it is not "name: value".
bool ReadHeader(std::string_view line, RequestHead& head) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = Trim(line.substr(colon + 1));
  if (SameWord(name, "Host")) {
    if (head.host) return false;  // two Host headers: which one is meant?
    head.host = std::string(value);
  } else if (SameWord(name, "Content-Length")) {
    if (value != "0") head.has_body = true;
  } else if (SameWord(name, "Transfer-Encoding")) {
    head.has_body = true;
  }
  return true;
}

bool ReadRequestLine(std::string_view line, RequestHead& head) {
  const std::size_t first = line.find(' ');
  const std::size_t last = line.rfind(' ');
  if (first == std::string_view::npos || first == last) return false;
  const std::string_view version = Trim(line.substr(last + 1));
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
  head.method = std::string(line.substr(0, first));
  const std::string_view target = line.substr(first + 1, last - first - 1);
  if (target.empty() || target.front() != '/') return false;
  head.path = std::string(target.substr(0, target.find('?')));
  return true;
}

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

}  // namespace

std::size_t HeadLength(std::string_view text) {
  const std::size_t crlf = text.find("\r\n\r\n");
  const std::size_t lf = text.find("\n\n");
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf < lf)) {
    return crlf + 4;
  }
  return lf == std::string_view::npos ? 0 : lf + 2;
}

std::optional<RequestHead> ParseRequestHead(std::string_view text) {
  RequestHead head;
  std::size_t end = text.find('\n');
  if (end == std::string_view::npos || !ReadRequestLine(text.substr(0, end), head)) {
    return std::nullopt;
  }
  for (text.remove_prefix(end + 1); !Trim(text.substr(0, text.find('\n'))).empty();
       text.remove_prefix(end + 1)) {
    end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    if (!ReadHeader(text.substr(0, end), head)) return std::nullopt;
  }
  return head;
}

std::optional<Refusal> Refuse(const RequestHead& head, int port) {
  if (head.method != "GET") {
    return Refusal{405, "the manhole answers GET only\n"};
  }
  if (head.has_body) {
    return Refusal{413, "a GET takes no body\n"};
  }
  const std::string port_text = ":" + std::to_string(port);
  if (!head.host || (*head.host != "127.0.0.1" + port_text &&
                     *head.host != "localhost" + port_text)) {
    return Refusal{403, "Host must be 127.0.0.1" + port_text + " or localhost" +
                            port_text + "\n"};
  }
  return std::nullopt;
}

std::string ResponseText(int status, std::string_view content_type,
                         std::string_view body) {
  std::string text = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
                     "\r\nContent-Type: " + std::string(content_type) +
                     "\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nConnection: close\r\nCache-Control: no-store\r\n"
                     "X-Content-Type-Options: nosniff\r\n";
  if (status == 405) text += "Allow: GET\r\n";
  text += "\r\n";
  text.append(body);
  return text;
}

}  // namespace manhole
