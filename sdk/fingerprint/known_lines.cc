// Copyright the PreloadSDK authors.
//
// The parse that takes a known run of lines from its model
// (internal/known_lines.h).
#include "fingerprint/internal/known_lines.h"

#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <memory>
#include <utility>
#include <vector>

#include "fingerprint/internal/storage.h"

namespace preload::internal {
namespace {

constexpr std::size_t kMagicLineBytes = kPayloadMagic.size() + 1;

bool SameFields(const std::vector<FingerprintFieldView>& a,
                const std::vector<FingerprintFieldView>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || a[i].value != b[i].value) return false;
  }
  return true;
}

}  // namespace

KnownLines::KnownLines(const Fingerprint& model, std::size_t first,
                       std::size_t count) {
  const std::vector<FingerprintFieldView>& fields = model.field_views();
  if (count == 0 || first > fields.size() || count > fields.size() - first) {
    return;
  }
  // The run must be lines a parse accepted: parse the payload again.
  absl::StatusOr<Fingerprint> parsed = Fingerprint::Parse(model.payload());
  if (!parsed.ok() || !SameFields(parsed->field_views(), fields)) return;
  model_ = *std::move(parsed);
  first_ = first;
  count_ = count;
  const std::vector<FingerprintFieldView>& own = model_->field_views();
  const char* begin = own[first].key.data();
  const FingerprintFieldView& last = own[first + count - 1];
  // Every line of a parsed payload ends with '\n', the last one included.
  bytes_ = std::string_view(begin, last.value.data() + last.value.size() + 1 - begin);
  for (std::size_t i = first; i < first + count; ++i) {
    const std::string_view key = own[i].key;
    key_shapes_[key.size() % 64] |= ShapeBit(key);
  }
  for (std::size_t i = 0; i < own.size(); ++i) {
    if (i < first || i >= first + count) {
      expected_.push_back({own[i].key, static_cast<std::uint32_t>(i)});
    }
  }
}

absl::StatusOr<Fingerprint> KnownLines::Parse(std::string_view payload) const {
  if (std::optional<Fingerprint> quick = QuickParse(payload)) {
    return *std::move(quick);
  }
  return Fingerprint::Parse(payload);
}

bool KnownLines::InRun(std::string_view key) const {
  if ((key_shapes_[key.size() % 64] & ShapeBit(key)) == 0) return false;
  const std::vector<FingerprintFieldView>& fields = model_->field_views();
  for (std::size_t i = first_; i < first_ + count_; ++i) {
    if (fields[i].key == key) return true;
  }
  return false;
}

namespace {

// Whether the `left` bytes at `line` start with `key` and '='. Keys are
// short: two overlapping 8-byte loads compare most of them without a call.
bool StartsWithKey(const char* line, std::size_t left, std::string_view key) {
  const std::size_t n = key.size();
  if (left <= n || line[n] != '=') return false;
  if (n < 8 || n > 16) return std::memcmp(line, key.data(), n) == 0;
  std::uint64_t a, b, c, d;
  std::memcpy(&a, line, 8);
  std::memcpy(&b, key.data(), 8);
  std::memcpy(&c, line + n - 8, 8);
  std::memcpy(&d, key.data() + n - 8, 8);
  return ((a ^ b) | (c ^ d)) == 0;
}

// The first '\n' of the `left` bytes at `from`, which hold one. Values are
// short: an inline search beats a call to memchr.
const char* FindNewline(const char* from, std::size_t left) {
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  for (; left >= 16; from += 16, left -= 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from));
    const int found = _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, newline));
    if (found != 0) return from + __builtin_ctz(static_cast<unsigned>(found));
  }
#endif
  return static_cast<const char*>(std::memchr(from, '\n', left));
}

}  // namespace

// The payload's fields, or nullopt for anything it is not sure is valid
// (Fingerprint::Parse then decides, and words any error). A line of the
// run is valid, since the model's parse checked it; its key cannot repeat
// within the run. So are the lines whose keys are the model's own outside
// the run, met in the model's order (a plugin built like its host has most
// of them: its identity, build.config, flags, ...): their keys are valid,
// none is a key of the run, and no two of them are the same. Only the
// other keys are checked character by character, against the run's, and
// against every other line's. The run's views are not made: the
// fingerprint takes them from the model when asked (storage.h).
std::optional<Fingerprint> KnownLines::QuickParse(std::string_view payload) const {
  if (bytes_.empty() || payload.size() > kMaxPayloadBytes) return std::nullopt;
  while (!payload.empty() && payload.back() == '\0') payload.remove_suffix(1);
  if (!payload.empty() && payload.back() == '\n') payload.remove_suffix(1);
  if (payload.size() <= kMagicLineBytes ||
      payload.substr(0, kPayloadMagic.size()) != kPayloadMagic ||
      payload[kPayloadMagic.size()] != '\n' ||
      std::memchr(payload.data(), '\0', payload.size()) != nullptr) {
    return std::nullopt;
  }
  // One allocation for the storage and its text.
  std::shared_ptr<Fingerprint::Storage> storage =
      Fingerprint::Storage::MakeWithText(payload);
  const std::string_view text = storage->inline_text;
  FingerprintFieldView* const own = storage->own;
  std::size_t& own_count = storage->own_count;
  std::size_t expected = 0;  // the next of expected_ to look for
  // The lines whose keys were checked one by one, by index into `own`.
  std::size_t checked[Fingerprint::Storage::kMaxOwn];
  std::size_t checked_count = 0;
  bool repeated = false;
  for (std::size_t at = kMagicLineBytes; at < text.size();) {
    const char* line = text.data() + at;
    const std::size_t left = text.size() - at;
    if (!repeated && left >= bytes_.size() && line[0] == bytes_[0] &&
        std::memcmp(line, bytes_.data(), bytes_.size()) == 0) {
      storage->own_before_run = own_count;
      storage->run_offset = at;
      at += bytes_.size();
      repeated = true;
      continue;
    }
    if (own_count == Fingerprint::Storage::kMaxOwn) return std::nullopt;
    std::string_view key;
    std::uint32_t in_model = kNotInModel;
    if (expected < expected_.size() &&
        StartsWithKey(line, left, expected_[expected].key)) {
      in_model = expected_[expected].index;
      key = std::string_view(line, expected_[expected++].key.size());
      for (std::size_t i = 0; i < checked_count; ++i) {
        if (own[checked[i]].key == key) return std::nullopt;
      }
    } else {
      // The text ends with '\n', which is no key character.
      std::size_t equals = 0;
      while (IsKeyChar(line[equals])) ++equals;
      if (equals == 0 || line[equals] != '=') return std::nullopt;
      key = std::string_view(line, equals);
      if (InRun(key)) return std::nullopt;
      for (std::size_t i = 0; i < own_count; ++i) {
        if (own[i].key == key) return std::nullopt;
      }
      checked[checked_count++] = own_count;
    }
    const std::size_t value_at = key.size() + 1;
    const char* end = FindNewline(line + value_at, left - value_at);
    storage->own_in_model[own_count] = in_model;
    own[own_count++] = {key, std::string_view(line + value_at,
                                              static_cast<std::size_t>(end - line) - value_at)};
    at += static_cast<std::size_t>(end - line) + 1;
  }
  if (!repeated) return std::nullopt;
  storage->model = model_->storage_;
  storage->model_first = first_;
  storage->model_count = count_;
  return Fingerprint(std::move(storage));
}

std::optional<KnownLines::OwnLines> KnownLines::OwnLinesOf(
    const Fingerprint& fingerprint) const {
  const Fingerprint::Storage& storage = *fingerprint.storage_;
  if (!model_ || storage.model != model_->storage_ ||
      storage.model_first != first_ || storage.model_count != count_) {
    return std::nullopt;
  }
  return OwnLines{{storage.own, storage.own_count},
                  {storage.own_in_model, storage.own_count},
                  storage.own_before_run};
}

}  // namespace preload::internal
