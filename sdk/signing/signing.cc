// Copyright the PreloadSDK authors.
//
// The public face of the signing layer (preload/signing.h): key files and
// digest lists read for LoaderOptions.
#include "preload/signing.h"

#include <algorithm>
#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/internal/string_view.h"
#include "signing/internal/minisign_format.h"
#include "signing/internal/small_file.h"

namespace preload {
namespace {

using internal::ToAbsl;

// No key, signature or digest list of ours comes near this.
constexpr std::size_t kMaxKeyFileBytes = 16 * 1024;
constexpr std::size_t kMaxDigestFileBytes = 16 * 1024 * 1024;

bool IsHexDigest(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

}  // namespace

absl::StatusOr<std::string> ReadPublicKeyFile(std::string_view path) {
  absl::StatusOr<std::string> text = internal::ReadSmallFile(path, kMaxKeyFileBytes);
  if (!text.ok()) return text.status();
  absl::StatusOr<internal::MinisignPublicKey> key = internal::ParsePublicKey(*text);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(path), ": ", key.status().message(),
                     " (a public key file is what preload keygen or "
                     "minisign -G writes as NAME.pub)"));
  }
  return internal::PublicKeyLine(*key);
}

absl::StatusOr<std::string> PublicKeyId(std::string_view key) {
  absl::StatusOr<internal::MinisignPublicKey> parsed = internal::ParsePublicKey(key);
  if (!parsed.ok()) return parsed.status();
  return internal::KeyIdText(parsed->key_id);
}

absl::StatusOr<std::vector<std::string>> ParseSha256List(std::string_view text,
                                                         std::string_view source) {
  std::vector<std::string> digests;
  int number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    // sha256sum escapes a name holding '\' or a newline with a leading '\'.
    if (line.front() == '\\') line.remove_prefix(1);
    const std::string_view digest = line.substr(0, 64);
    const std::string_view separator = line.size() > 64 ? line.substr(64, 2) : "";
    if (!IsHexDigest(digest) || (separator != "  " && separator != " *")) {
      return absl::InvalidArgumentError(absl::StrCat(
          ToAbsl(source), ":", number, ": expected sha256sum's format, "
          "'<64 hex digits>  <file>' (made by preload digest or sha256sum)"));
    }
    digests.push_back(absl::AsciiStrToLower(ToAbsl(digest)));
  }
  return digests;
}

absl::StatusOr<std::vector<std::string>> ReadSha256File(std::string_view path) {
  absl::StatusOr<std::string> text = internal::ReadSmallFile(path, kMaxDigestFileBytes);
  if (!text.ok()) return text.status();
  return ParseSha256List(*text, path);
}

}  // namespace preload
