// Copyright the PreloadSDK authors.
//
// The parse that takes a known run of lines from its model
// (internal/known_lines.h).
#include "fingerprint/internal/known_lines.h"

#include <cstring>
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

// The payload's fields, or nullopt for anything it is not sure is valid
// (Fingerprint::Parse then decides, and words any error). A line of the
// run is valid, since the model's parse checked it; its key cannot repeat
// within the run, so only the payload's other keys are checked, against
// the run's and against each other.
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
  auto storage = std::make_shared<Fingerprint::Storage>();
  storage->text.reserve(payload.size() + 1);
  storage->text.append(payload.data(), payload.size()).push_back('\n');
  const std::string_view text = storage->text;
  std::vector<FingerprintFieldView>& views = storage->views;
  views.reserve(count_ + 16);
  const std::vector<FingerprintFieldView>& model = model_->field_views();
  std::size_t own[kMaxOwnLines];
  std::size_t own_count = 0;
  bool repeated = false;
  for (std::size_t at = kMagicLineBytes; at < text.size();) {
    const char* line = text.data() + at;
    const std::size_t left = text.size() - at;
    if (!repeated && left >= bytes_.size() &&
        std::memcmp(line, bytes_.data(), bytes_.size()) == 0) {
      for (std::size_t i = first_; i < first_ + count_; ++i) {
        views.push_back({{line + (model[i].key.data() - bytes_.data()), model[i].key.size()},
                         {line + (model[i].value.data() - bytes_.data()),
                          model[i].value.size()}});
      }
      at += bytes_.size();
      repeated = true;
      continue;
    }
    // The text ends with '\n', which is no key character.
    std::size_t equals = 0;
    while (IsKeyChar(line[equals])) ++equals;
    if (equals == 0 || line[equals] != '=' || own_count == kMaxOwnLines) {
      return std::nullopt;
    }
    const std::string_view key(line, equals);
    if (InRun(key)) return std::nullopt;
    for (std::size_t i = 0; i < own_count; ++i) {
      if (views[own[i]].key == key) return std::nullopt;
    }
    const char* end = static_cast<const char*>(
        std::memchr(line + equals, '\n', left - equals));
    own[own_count++] = views.size();
    views.push_back({key, std::string_view(line + equals + 1,
                                           static_cast<std::size_t>(end - line) - equals - 1)});
    at += static_cast<std::size_t>(end - line) + 1;
  }
  if (!repeated) return std::nullopt;
  return Fingerprint(std::move(storage));
}

}  // namespace preload::internal
