// Copyright the PreloadSDK authors.
//
// The fingerprint model: parse and serialize the note payload, and this
// build's own fingerprint. The format is documented in docs/fingerprint.md.
#include "preload/fingerprint.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "fingerprint/internal/sdk_fingerprint.h"
#include "fingerprint/internal/storage.h"
#include "base/internal/string_view.h"

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

using internal::IsKeyChar;

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

// Why `line` is not a `key=value` field: the checks in the order the
// messages promise. Only called for a line the parser refused.
absl::Status FieldError(std::string_view line, std::size_t number) {
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
  return LineError(number, "not a key=value field");  // not reached
}

// Finds repeated keys without a node per key: open addressing over indices
// into the field list, on the stack for the ~45 fields a template writes.
// The hash is Abseil's, seeded per process, so that a hostile payload cannot
// make the probes quadratic.
class KeyIndex {
 public:
  explicit KeyIndex(const std::vector<FingerprintFieldView>& fields)
      : fields_(fields), slots_(kInline, kEmpty) {}

  // Records the key of fields[index]; returns the index of an earlier field
  // with the same key instead, if there is one.
  std::optional<std::size_t> Insert(std::size_t index) {
    if (2 * (index + 1) > slots_.size()) Grow(index);
    const std::string_view key = fields_[index].key;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t slot = Hash(key) & mask;; slot = (slot + 1) & mask) {
      if (slots_[slot] == kEmpty) {
        slots_[slot] = static_cast<std::uint32_t>(index);
        return std::nullopt;
      }
      if (fields_[slots_[slot]].key == key) return slots_[slot];
    }
  }

 private:
  static constexpr std::size_t kInline = 128;  // a power of two
  static constexpr std::uint32_t kEmpty = UINT32_MAX;

  static std::size_t Hash(std::string_view key) {
    return absl::Hash<absl::string_view>{}(ToAbsl(key));
  }

  // Doubles the table and re-inserts fields [0, count), known distinct.
  void Grow(std::size_t count) {
    slots_.assign(2 * slots_.size(), kEmpty);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = 0; i < count; ++i) {
      std::size_t slot = Hash(fields_[i].key) & mask;
      while (slots_[slot] != kEmpty) slot = (slot + 1) & mask;
      slots_[slot] = static_cast<std::uint32_t>(i);
    }
  }

  const std::vector<FingerprintFieldView>& fields_;
  absl::InlinedVector<std::uint32_t, kInline> slots_;
};

// Splits `body` (the payload after its magic line, without the last line's
// newline) into views of its fields; `body` must already sit in its final
// home, the storage's text.
absl::Status SplitFields(std::string_view body, bool has_fields,
                         std::vector<FingerprintFieldView>& fields) {
  if (!has_fields) return absl::OkStatus();
  fields.reserve(64);  // what the template writes, with room for host ABIs
  KeyIndex keys(fields);
  // One search of the whole body spares one per line.
  const bool may_hold_nul = body.find('\0') != std::string_view::npos;
  // Field i is on line i + 2: the magic line is line 1, and no line is
  // skipped (an empty one is an error).
  for (std::size_t number = 2;; ++number) {
    // One pass over the key checks its characters and finds its '=', which
    // is no key character; the value ends at the line's end.
    std::size_t equals = 0;
    while (equals < body.size() && IsKeyChar(body[equals])) ++equals;
    const std::size_t end = body.find('\n', equals);
    const std::string_view line = body.substr(0, end);
    if (equals == 0 || equals == line.size() || line[equals] != '=') {
      return FieldError(line, number);
    }
    const std::string_view key = line.substr(0, equals);
    const std::string_view value = line.substr(equals + 1);
    if (may_hold_nul && value.find('\0') != std::string_view::npos) {
      return FieldError(line, number);
    }
    fields.push_back({key, value});
    if (std::optional<std::size_t> first = keys.Insert(fields.size() - 1)) {
      return LineError(number,
                       absl::StrCat("key ", Quote(key),
                                    " repeats (first on line ", *first + 2, ")"));
    }
    if (end == std::string_view::npos) return absl::OkStatus();
    body.remove_prefix(end + 1);
  }
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
  const std::size_t end = payload.find('\n');
  if (absl::Status magic = CheckMagic(payload.substr(0, end)); !magic.ok()) {
    return magic;
  }
  // The one copy: the fields are views into it.
  auto storage = std::make_shared<Storage>();
  storage->text.reserve(payload.size() + 1);
  storage->text.append(payload.data(), payload.size()).push_back('\n');
  const std::string_view text = storage->text;
  const bool has_fields = end != std::string_view::npos;
  const std::string_view body =
      has_fields ? text.substr(end + 1, payload.size() - end - 1)
                 : std::string_view();
  if (absl::Status fields = SplitFields(body, has_fields, storage->views);
      !fields.ok()) {
    return fields;
  }
  return Fingerprint(std::move(storage));
}

Fingerprint Fingerprint::FromFields(std::vector<FingerprintField> fields) {
  auto storage = std::make_shared<Storage>();
  std::string& text = storage->text;
  absl::StrAppend(&text, ToAbsl(kPayloadMagic), "\n");
  // Offsets first: the text may move while it grows.
  std::vector<std::pair<std::size_t, std::size_t>> at;
  at.reserve(fields.size());
  for (const FingerprintField& field : fields) {
    at.emplace_back(text.size(), text.size() + field.key.size() + 1);
    absl::StrAppend(&text, field.key, "=", field.value, "\n");
  }
  const std::string_view view = text;
  storage->views.reserve(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    storage->views.push_back(
        {view.substr(at[i].first, fields[i].key.size()),
         view.substr(at[i].second, fields[i].value.size())});
  }
  std::call_once(storage->owned_once, [&] { storage->owned = std::move(fields); });
  return Fingerprint(std::move(storage));
}

std::string_view Fingerprint::payload() const { return storage_->Text(); }

const std::vector<FingerprintFieldView>& Fingerprint::field_views() const {
  return storage_->AllViews();
}

const std::vector<FingerprintField>& Fingerprint::fields() const {
  const Storage& storage = *storage_;
  std::call_once(storage.owned_once, [&storage] {
    const std::vector<FingerprintFieldView>& views = storage.AllViews();
    storage.owned.reserve(views.size());
    for (const FingerprintFieldView& field : views) {
      storage.owned.push_back(
          {std::string(field.key), std::string(field.value)});
    }
  });
  return storage.owned;
}

std::optional<std::string_view> Fingerprint::Get(std::string_view key) const {
  const Storage& storage = *storage_;
  if (!storage.quick()) {
    for (const FingerprintFieldView& field : storage.views) {
      if (field.key == key) return field.value;
    }
    return std::nullopt;
  }
  // Keys are distinct: the fields outside the run first (the identity, the
  // descriptor and cpu.features that every verification asks for), then
  // the run's, without making the full list.
  for (std::size_t i = 0; i < storage.own_count; ++i) {
    if (storage.own[i].key == key) return storage.own[i].value;
  }
  const std::vector<FingerprintFieldView>& model = storage.model->views;
  for (std::size_t i = storage.model_first;
       i < storage.model_first + storage.model_count; ++i) {
    if (model[i].key == key) return storage.FromModel(model[i]).value;
  }
  return std::nullopt;
}

std::map<std::string, std::string, std::less<>> Fingerprint::HostAbis() const {
  std::map<std::string, std::string, std::less<>> abis;
  for (const FingerprintFieldView& field : field_views()) {
    if (StartsWith(field.key, kHostAbiPrefix)) {
      abis.emplace(std::string(field.key.substr(kHostAbiPrefix.size())),
                   std::string(field.value));
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
