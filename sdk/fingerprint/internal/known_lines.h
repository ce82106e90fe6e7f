// Copyright the PreloadSDK authors.
//
// fingerprint/internal/known_lines.h — a parse that skips what it has seen.
//
// A plugin built like its host repeats the host's build settings byte for
// byte: the same lines, in the same order, from the same template and the
// same compiler. KnownLines keeps such a run of lines of one parsed
// fingerprint (the model); Parse then takes the fields of a payload that
// repeats the run from the model, already checked, and checks only the
// payload's other lines. The result, and every message, is exactly
// Fingerprint::Parse's: any payload the quick path is not sure of is parsed
// by it.
//
//   KnownLines known(host, first, count);  // once
//   absl::StatusOr<Fingerprint> plugin = known.Parse(payload);  // per plugin
#ifndef PRELOAD_FINGERPRINT_INTERNAL_KNOWN_LINES_H_
#define PRELOAD_FINGERPRINT_INTERNAL_KNOWN_LINES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "preload/fingerprint.h"

namespace preload::internal {

class KnownLines {
 public:
  // No run: Parse is Fingerprint::Parse.
  KnownLines() = default;

  // The lines of fields [first, first + count) of `model`. None when the
  // range is empty or out of bounds, or when `model`'s payload does not
  // parse back into `model`'s own fields (a fingerprint made by FromFields
  // with keys or values no payload can hold).
  KnownLines(const Fingerprint& model, std::size_t first, std::size_t count);

  // Fingerprint::Parse(payload): the same fingerprint or the same error.
  [[nodiscard]] absl::StatusOr<Fingerprint> Parse(std::string_view payload) const;

  // The run's bytes, each line with its '\n'; empty when there is none.
  std::string_view bytes() const { return bytes_; }

  // The lines of a fingerprint that this parser's quick path made (or a
  // copy of one) outside the run: its other fields in payload order, none
  // with a key of the run, `before_run` of them before it. nullopt for any
  // other fingerprint, whose fields may still repeat the run.
  struct OwnLines {
    absl::Span<const FingerprintFieldView> fields;
    // For each field, the index of the model's field with its key, or
    // kNotInModel when the quick path did not pair it (the model may still
    // have the key).
    absl::Span<const std::uint32_t> in_model;
    std::size_t before_run = 0;
  };
  static constexpr std::uint32_t kNotInModel = UINT32_MAX;
  std::optional<OwnLines> OwnLinesOf(const Fingerprint& fingerprint) const;

 private:
  std::optional<Fingerprint> QuickParse(std::string_view payload) const;
  // Whether `key` is the key of a line of the run.
  bool InRun(std::string_view key) const;
  static std::uint64_t ShapeBit(std::string_view key) {
    const unsigned first = static_cast<unsigned char>(key.front());
    const unsigned last = static_cast<unsigned char>(key.back());
    return std::uint64_t{1} << ((first + 7 * last) % 64);
  }

  std::optional<Fingerprint> model_;
  std::size_t first_ = 0, count_ = 0;
  std::string_view bytes_;
  // Bit (first byte + 7 * last byte) % 64 of entry (length % 64) is set for
  // each key of the run: most other keys are told apart without comparing.
  std::array<std::uint64_t, 64> key_shapes_{};
  // The model's keys outside the run, in its order, with their indices.
  struct Expected {
    std::string_view key;
    std::uint32_t index;
  };
  std::vector<Expected> expected_;
};

}  // namespace preload::internal

#endif  // PRELOAD_FINGERPRINT_INTERNAL_KNOWN_LINES_H_
