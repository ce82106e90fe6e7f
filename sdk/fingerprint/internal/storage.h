// Copyright the PreloadSDK authors.
//
// fingerprint/internal/storage.h — what a Fingerprint holds: shared by
// fingerprint.cc and known_lines.cc, which both make fingerprints.
#ifndef PRELOAD_FINGERPRINT_INTERNAL_STORAGE_H_
#define PRELOAD_FINGERPRINT_INTERNAL_STORAGE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/call_once.h"
#include "preload/fingerprint.h"

namespace preload {
namespace internal {

// Allocates what it is asked for and `extra` bytes after it, and says where
// those are: a storage and its text in one allocation.
template <typename T>
struct TrailingBytesAllocator {
  using value_type = T;
  std::size_t extra;
  char** trailing;

  TrailingBytesAllocator(std::size_t extra_bytes, char** where)
      : extra(extra_bytes), trailing(where) {}
  template <typename U>
  TrailingBytesAllocator(const TrailingBytesAllocator<U>& other)  // NOLINT
      : extra(other.extra), trailing(other.trailing) {}
  T* allocate(std::size_t n) {
    const std::size_t size = n * sizeof(T);
    char* block = static_cast<char*>(::operator new(size + extra));
    *trailing = block + size;
    return reinterpret_cast<T*>(block);
  }
  void deallocate(T* block, std::size_t) noexcept { ::operator delete(block); }
  template <typename U>
  bool operator==(const TrailingBytesAllocator<U>& other) const {
    return extra == other.extra && trailing == other.trailing;
  }
  template <typename U>
  bool operator!=(const TrailingBytesAllocator<U>& other) const {
    return !(*this == other);
  }
};

}  // namespace internal

// The payload text, exactly as Serialize() returns it, and views of its
// fields. The owned copies of fields() are made only for callers that ask.
//
// A fingerprint made by a quick parse (internal/known_lines.h) holds views
// of its own lines only, and takes the run's from the model it repeats:
// the run's lines lie at the same distances from the run's first byte in
// both texts. Its full list of views is made on the first call of
// field_views(): the loader's verification never asks for it.
struct Fingerprint::Storage {
  // The payload: owned by `text`, or, for a quick parse, in the same
  // allocation as this storage (internal::MakeStorageWithText), `inline_text`.
  std::string text;
  std::string_view inline_text;
  std::string_view Text() const {
    return inline_text.data() != nullptr ? inline_text : std::string_view(text);
  }
  // A storage whose inline_text is `payload` and a '\n', in one allocation
  // with it: a quick parse makes one per plugin verified.
  static std::shared_ptr<Storage> MakeWithText(std::string_view payload) {
    char* bytes = nullptr;
    auto storage = std::allocate_shared<Storage>(
        internal::TrailingBytesAllocator<Storage>(payload.size() + 1, &bytes));
    std::memcpy(bytes, payload.data(), payload.size());
    bytes[payload.size()] = '\n';
    storage->inline_text = std::string_view(bytes, payload.size() + 1);
    return storage;
  }
  // Every field, in payload order; for a quick parse, made by AllViews().
  mutable std::vector<FingerprintFieldView> views;

  // A quick parse's: the fields outside the run in payload order, of which
  // the first `own_before_run` come before it, and which of them the model
  // has too; where the run starts in
  // `text`; the model's fields [model_first, model_first + model_count) it
  // repeats, the model kept alive; the parser that made it.
  static constexpr std::size_t kMaxOwn = 20;
  FingerprintFieldView own[kMaxOwn];
  // For each, its field's index in the model, or UINT32_MAX
  // (KnownLines::kNotInModel).
  std::uint32_t own_in_model[kMaxOwn];
  std::size_t own_count = 0;
  std::size_t own_before_run = 0;
  std::size_t run_offset = 0;
  std::shared_ptr<const Storage> model;
  std::size_t model_first = 0, model_count = 0;
  const void* made_by = nullptr;
  mutable absl::once_flag views_once;

  mutable std::once_flag owned_once;
  mutable std::vector<FingerprintField> owned;

  // Whether the views are made lazily from `own` and the model.
  bool quick() const { return model != nullptr; }
  // The model's view `field` of the run, moved into this text.
  FingerprintFieldView FromModel(const FingerprintFieldView& field) const {
    const char* model_run = model->views[model_first].key.data();
    const char* run = Text().data() + run_offset;
    return {{run + (field.key.data() - model_run), field.key.size()},
            {run + (field.value.data() - model_run), field.value.size()}};
  }
  const std::vector<FingerprintFieldView>& AllViews() const {
    if (quick()) {
      absl::call_once(views_once, [this] {
        views.reserve(own_count + model_count);
        views.insert(views.end(), own, own + own_before_run);
        for (std::size_t i = model_first; i < model_first + model_count; ++i) {
          views.push_back(FromModel(model->views[i]));
        }
        views.insert(views.end(), own + own_before_run, own + own_count);
      });
    }
    return views;
  }
};

namespace internal {


// [a-z0-9._-] as a table: every byte of every key of every plugin load is
// looked up.
inline constexpr std::array<bool, 256> kKeyChars = [] {
  std::array<bool, 256> table{};
  for (unsigned char c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (unsigned char c = '0'; c <= '9'; ++c) table[c] = true;
  for (unsigned char c : {'.', '_', '-'}) table[c] = true;
  return table;
}();

inline bool IsKeyChar(char c) { return kKeyChars[static_cast<unsigned char>(c)]; }

}  // namespace internal
}  // namespace preload

#endif  // PRELOAD_FINGERPRINT_INTERNAL_STORAGE_H_
