// Copyright the PreloadSDK authors.
#include "base/internal/escape.h"

#include <cstdint>

namespace preload::internal {
namespace {

// The length of the valid UTF-8 sequence at the start of `text` that is not
// a C1 control, or 0.
size_t PrintableUtf8Length(std::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(0);
  size_t length = 0;
  uint32_t code = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, code = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, code = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, code = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
    code = (code << 6) | (byte(i) & 0x3f);
  }
  const bool overlong = (length == 3 && code < 0x800) ||
                        (length == 4 && code < 0x10000);
  const bool invalid = overlong || code > 0x10ffff ||
                       (code >= 0xd800 && code <= 0xdfff);
  const bool c1 = code >= 0x80 && code <= 0x9f;
  return invalid || c1 ? 0 : length;
}

void AppendEscaped(std::string& out, uint8_t byte) {
  switch (byte) {
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0xf];
}

bool Printable(uint8_t byte, bool keep_newlines) {
  return (byte >= 0x20 && byte < 0x7f) || (keep_newlines && byte == '\n');
}

bool NeedsEscaping(std::string_view text, bool keep_newlines) {
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<uint8_t>(text[i]);
    if (Printable(byte, keep_newlines)) {
      ++i;
      continue;
    }
    const size_t length = PrintableUtf8Length(text.substr(i));
    if (length == 0) return true;
    i += length;
  }
  return false;
}

std::string Escape(std::string_view text, bool keep_newlines) {
  if (!NeedsEscaping(text, keep_newlines)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<uint8_t>(text[i]);
    if (Printable(byte, keep_newlines)) {
      out += static_cast<char>(byte);
      ++i;
      continue;
    }
    const size_t length = PrintableUtf8Length(text.substr(i));
    if (length == 0) {
      AppendEscaped(out, byte);
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace

std::string EscapeText(std::string_view text) { return Escape(text, false); }

std::string EscapeKeepingLines(std::string_view text) {
  return Escape(text, true);
}

}  // namespace preload::internal
