// Copyright the PreloadSDK authors.
//
// preload/fingerprint.h — the build fingerprint every PreloadSDK binary carries.
//
// A fingerprint is an ordered list of `key=value` fields describing how a binary
// was built: its identity (kind, name, version), the toolchain and every
// ABI-relevant setting the compiler itself reported, the host ABIs involved,
// and the raw flags (kept for diagnosis only). It travels as the payload of an
// ELF note; `docs/fingerprint.md` documents the format and every field.
//
// Example:
//
//   absl::StatusOr<preload::Fingerprint> fp = preload::Fingerprint::Parse(bytes);
//   if (!fp.ok()) return fp.status();
//   std::cout << fp->name() << " built by " << fp->Get("compiler.id").value_or("?");
//
// This header knows nothing of files, ELF or policy.
#ifndef PRELOAD_FINGERPRINT_H_
#define PRELOAD_FINGERPRINT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "preload/version.h"

namespace preload {

namespace internal {
class KnownLines;  // fingerprint/internal/known_lines.h
}  // namespace internal

// The ELF note that carries a fingerprint: owner name and note type.
inline constexpr std::string_view kNoteOwner = PRELOAD_NOTE_OWNER;
inline constexpr uint32_t kNoteType = PRELOAD_NOTE_TYPE;

// The first line of every payload; the number is the payload format version.
inline constexpr std::string_view kPayloadMagic = "preload-fingerprint/1";

// A payload larger than this is refused as corrupt before it is parsed.
inline constexpr std::size_t kMaxPayloadBytes = 64 * 1024;

// One `key=value` line of a payload.
struct FingerprintField {
  std::string key;
  std::string value;
};

// The same line as views into the fingerprint's own text: valid for as long
// as the fingerprint it came from, or any copy of it, lives.
struct FingerprintFieldView {
  std::string_view key;
  std::string_view value;
};

// A parsed, immutable fingerprint. Fields keep the order of the payload, so
// Serialize(Parse(p)) == p for every payload Parse accepts.
//
// Copies are cheap: they share the payload text and its fields, which never
// change. A verdict, the loader and the process list all keep the
// fingerprints they were given. Parsing copies the payload once and makes no
// string per field: the fields are views into that copy.
class Fingerprint {
 public:
  // Moving copies too, so that a moved-from fingerprint keeps its fields.
  Fingerprint(const Fingerprint&) = default;
  Fingerprint& operator=(const Fingerprint&) = default;

  // Parses a note payload. Fails with InvalidArgument, naming the line, when the
  // magic line is missing or of another format version, a line is not
  // `key=value`, a key has characters outside [a-z0-9._-], a key repeats, or the
  // payload exceeds kMaxPayloadBytes. Trailing NUL padding is ignored.
  [[nodiscard]] static absl::StatusOr<Fingerprint> Parse(std::string_view payload);

  // Builds a fingerprint from fields (used by tests and tools). Keys are not
  // validated here; Serialize() then Parse() validates them.
  static Fingerprint FromFields(std::vector<FingerprintField> fields);

  // The payload text: the magic line, then one `key=value\n` per field.
  std::string Serialize() const { return std::string(payload()); }

  // What Serialize() returns, without a copy; lives as long as this
  // fingerprint or a copy of it.
  std::string_view payload() const;

  // The value of `key`, if present.
  std::optional<std::string_view> Get(std::string_view key) const;

  // Every field in payload order, as views into payload(): no copies.
  const std::vector<FingerprintFieldView>& field_views() const;

  // Every field in payload order, as strings of their own, made on the first
  // call (from any thread) and kept.
  const std::vector<FingerprintField>& fields() const;

  // Shorthands for the identity fields; empty when absent.
  std::string_view kind() const { return GetOr("kind"); }
  std::string_view name() const { return GetOr("name"); }
  std::string_view version() const { return GetOr("version"); }

  // Host ABIs named by `abi.<name>=<version>` fields: name -> version.
  std::map<std::string, std::string, std::less<>> HostAbis() const;

 private:
  friend class internal::KnownLines;  // parses payloads that repeat a model's lines
  struct Storage;
  explicit Fingerprint(std::shared_ptr<const Storage> storage)
      : storage_(std::move(storage)) {}
  std::string_view GetOr(std::string_view key) const {
    return Get(key).value_or(std::string_view());
  }

  std::shared_ptr<const Storage> storage_;  // never null
};

// The fingerprint of the PreloadSDK library itself, made by the same template
// and compiled with the SDK's flags. Loaders fall back to it when the running
// executable carries no fingerprint note of its own.
const Fingerprint& SdkFingerprint();

}  // namespace preload

#endif  // PRELOAD_FINGERPRINT_H_
