// Copyright the PreloadSDK authors.
//
// The fingerprint model: parse and serialize the note payload, and this
// build's own fingerprint. The format is documented in docs/fingerprint.md.
#include "preload/fingerprint.h"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "internal/sdk_fingerprint.h"
#include "internal/string_view.h"

namespace preload {
namespace {

using internal::ToAbsl;

constexpr std::string_view kMagicPrefix = "preload-fingerprint/";
constexpr std::string_view kHostAbiPrefix = "abi.";
// Offending text quoted in an error is cut after this many bytes: a corrupt
// payload may hold a 64 KiB "line".
constexpr std::size_t kMaxQuotedBytes = 80;

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// `text` as it appears in a message: control bytes escaped, cut when long.
std::string Printable(std::string_view text) {
  const bool cut = text.size() > kMaxQuotedBytes;
  if (cut) text = text.substr(0, kMaxQuotedBytes);
  return absl::StrCat(absl::CHexEscape(ToAbsl(text)), cut ? "...(cut)" : "");
}

std::string Quote(std::string_view text) {
  return absl::StrCat("\"", Printable(text), "\"");
}

absl::Status LineError(std::size_t line, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("fingerprint payload, line ", line, ": ", ToAbsl(what)));
}

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

absl::Status CheckMagic(std::string_view line) {
  if (line == kPayloadMagic) return absl::OkStatus();
  if (StartsWith(line, kMagicPrefix)) {
    return LineError(
        1, absl::StrCat("found ", Quote(line), ", fingerprint format version ",
                        Printable(line.substr(kMagicPrefix.size())),
                        ", but this PreloadSDK reads format version 1 only; "
                        "the binary was built with a PreloadSDK that writes "
                        "another format"));
  }
  return LineError(
      1, absl::StrCat("expected the magic line \"", ToAbsl(kPayloadMagic),
                      "\", found ", Quote(line)));
}

absl::StatusOr<FingerprintField> ParseField(std::string_view line,
                                            std::size_t number) {
  if (line.empty()) {
    return LineError(number, "empty line; expected key=value");
  }
  if (line.find('\0') != std::string_view::npos) {
    return LineError(number,
                     absl::StrCat("NUL byte inside the line ", Quote(line)));
  }
  const std::size_t equals = line.find('=');
  if (equals == std::string_view::npos) {
    return LineError(number,
                     absl::StrCat("expected key=value, found ", Quote(line)));
  }
  const std::string_view key = line.substr(0, equals);
  if (key.empty()) {
    return LineError(number,
                     absl::StrCat("empty key before '=' in ", Quote(line)));
  }
  for (char c : key) {
    if (!IsKeyChar(c)) {
      return LineError(number,
                       absl::StrCat("key ", Quote(key), " has the character ",
                                    Quote(std::string_view(&c, 1)),
                                    ", outside [a-z0-9._-]"));
    }
  }
  return FingerprintField{std::string(key),
                          std::string(line.substr(equals + 1))};
}

}  // namespace

absl::StatusOr<Fingerprint> Fingerprint::Parse(std::string_view payload) {
  if (payload.size() > kMaxPayloadBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("fingerprint payload of ", payload.size(),
                     " bytes exceeds the limit of ", kMaxPayloadBytes,
                     " bytes; the note is corrupt"));
  }
  while (!payload.empty() && payload.back() == '\0') payload.remove_suffix(1);
  if (payload.empty()) {
    return LineError(1, absl::StrCat("the payload is empty; expected \"",
                                     ToAbsl(kPayloadMagic), "\""));
  }
  // The last line's terminator is optional; any other '\n' ends a line.
  if (payload.back() == '\n') payload.remove_suffix(1);

  std::vector<FingerprintField> fields;
  fields.reserve(64);  // what the template writes, with room for host ABIs
  // key -> line number; keys point into `payload`, which outlives the map.
  absl::flat_hash_map<absl::string_view, std::size_t> first_line;
  first_line.reserve(64);
  std::size_t number = 0;
  while (true) {
    ++number;
    const std::size_t end = payload.find('\n');
    const std::string_view line = payload.substr(0, end);
    if (number == 1) {
      if (absl::Status magic = CheckMagic(line); !magic.ok()) return magic;
    } else {
      absl::StatusOr<FingerprintField> field = ParseField(line, number);
      if (!field.ok()) return field.status();
      const std::string_view key = line.substr(0, field->key.size());
      auto [it, inserted] = first_line.emplace(ToAbsl(key), number);
      if (!inserted) {
        return LineError(
            number, absl::StrCat("key ", Quote(key), " repeats (first on line ",
                                 it->second, ")"));
      }
      fields.push_back(*std::move(field));
    }
    if (end == std::string_view::npos) break;
    payload.remove_prefix(end + 1);
  }
  return Fingerprint(std::move(fields));
}

Fingerprint Fingerprint::FromFields(std::vector<FingerprintField> fields) {
  return Fingerprint(std::move(fields));
}

std::string Fingerprint::Serialize() const {
  std::string out = absl::StrCat(ToAbsl(kPayloadMagic), "\n");
  for (const FingerprintField& field : fields_) {
    absl::StrAppend(&out, field.key, "=", field.value, "\n");
  }
  return out;
}

std::optional<std::string_view> Fingerprint::Get(std::string_view key) const {
  for (const FingerprintField& field : fields_) {
    if (field.key == key) return std::string_view(field.value);
  }
  return std::nullopt;
}

std::map<std::string, std::string, std::less<>> Fingerprint::HostAbis() const {
  std::map<std::string, std::string, std::less<>> abis;
  for (const FingerprintField& field : fields_) {
    const std::string_view key = field.key;
    if (StartsWith(key, kHostAbiPrefix)) {
      abis.emplace(std::string(key.substr(kHostAbiPrefix.size())), field.value);
    }
  }
  return abis;
}

const Fingerprint& SdkFingerprint() {
  // Parsed once and never destroyed, so that it stays usable from other
  // static destructors.
  static const Fingerprint* const sdk = [] {
    absl::StatusOr<Fingerprint> parsed =
        Fingerprint::Parse(internal::SdkFingerprintPayload());
    if (!parsed.ok()) {
      // The payload was generated and compiled into this library: a parse
      // failure is a bug in the build, not something a caller can handle.
      std::fprintf(stderr,
                   "PreloadSDK: the SDK's own fingerprint does not parse; "
                   "the SDK was built incorrectly: %s\n",
                   parsed.status().ToString().c_str());
      std::abort();
    }
    return new Fingerprint(*std::move(parsed));
  }();
  return *sdk;
}

}  // namespace preload
